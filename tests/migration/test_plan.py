"""The planner: what a maintainer gets for typical tools."""

from __future__ import annotations

from bot.migration.inspect import RepoReport, inspect_snapshot
from bot.migration.plan import Plan, plan_for
from bot.migration.snapshot import RepoSource, Snapshot

from .samples import GRID_CRONTAB, GRID_TOOL, SAMPLES

GITLAB = RepoSource(
    location="https://gitlab.wikimedia.org/toolforge-repos/mytool",
    kind="gitlab",
    ref="main",
    web_url="https://gitlab.wikimedia.org/toolforge-repos/mytool",
    clone_url="https://gitlab.wikimedia.org/toolforge-repos/mytool.git",
    project_path="toolforge-repos/mytool",
    gitlab_url="https://gitlab.wikimedia.org",
    visibility="public",
    default_branch="main",
)


def _report(files: dict[str, str], executable: frozenset[str] = frozenset()) -> RepoReport:
    snapshot = Snapshot(GITLAB, tuple(sorted(files)), dict(files), executable)
    return inspect_snapshot(snapshot, tool="mytool")


def _file(plan: Plan, path: str) -> str:
    return next(f.content for f in plan.files if f.path == path)


def _ids(plan: Plan) -> set[str]:
    return {p.id for p in plan.problems}


def test_grid_tool_to_build_service() -> None:
    report = _report(GRID_TOOL, frozenset({"bot/ircbot.sh"}))
    plan = plan_for("mytool", report, grid_text=GRID_CRONTAB)

    assert _file(plan, "Procfile") == (
        "web: gunicorn --bind 0.0.0.0:$PORT --chdir www/python/src app:app\n"
        "refresh: python3 bot/refresh.py --all\n"
        "ircbot: bot/ircbot.sh\n"
    )
    assert _file(plan, "jobs.yaml") == (
        "# Jobs of the tool mytool on its build-service image, written by forgebot.\n"
        "# Load (create or update) them with: toolforge jobs load jobs.yaml\n"
        "---\n"
        "- name: refresh\n"
        "  command: refresh\n"
        "  image: tool-mytool/tool-mytool:latest\n"
        '  schedule: "0 */6 * * *"\n'
        "  mem: 2Gi\n"
        "- name: ircbot\n"
        "  command: ircbot\n"
        "  image: tool-mytool/tool-mytool:latest\n"
        "  continuous: true\n"
        "- name: cleanup\n"
        "  command: php $HOME/public_html/cron/cleanup.php\n"
        "  image: php8.2\n"
        '  schedule: "@daily"\n'
    )
    assert _file(plan, "Aptfile") == "ffmpeg\n"
    assert _file(plan, ".python-version") == "3.13\n"
    assert _file(plan, "requirements.txt") == "flask\ngunicorn\n"
    assert [(f.path, f.action) for f in plan.files] == [
        ("Procfile", "create"),
        ("jobs.yaml", "create"),
        ("Aptfile", "create"),
        (".python-version", "create"),
        ("requirements.txt", "update"),
    ]
    assert plan.build_command == (
        "toolforge build start https://gitlab.wikimedia.org/toolforge-repos/mytool.git"
    )
    # the web service becomes a published continuous job of the jobs API
    web = (
        "toolforge jobs run web --image tool-mytool/tool-mytool:latest --command web "
        "--continuous --port 8000 --publish --mount=all"
    )
    assert plan.webservice_command == web
    assert plan.steps[1:] == (
        plan.build_command,
        "webservice stop",
        web,
        "toolforge jobs load jobs.yaml",
    )
    warnings = {p.id for p in plan.warnings}
    assert warnings == {"continuous-exit", "nfs", "replica-credentials", "uwsgi",
                        "multiple-languages"}  # fmt: skip
    assert all(p.guide.startswith("migration_guides/") for p in plan.problems)
    assert plan.problems[0].severity == "warning" and plan.problems[-1].severity == "info"


def test_current_jobs_win_and_obsolete_ones_are_deleted() -> None:
    current = {
        "jobs": [
            {"name": "refresh", "cmd": "python3 $HOME/bot/refresh.py", "image": "python3.11",
             "job_type": "scheduled", "schedule": "17 */6 * * *"},
            {"name": "oneshot", "cmd": "./x", "image": "bookworm", "job_type": "one-off"},
            {"name": "api", "cmd": "web", "image": "tool-mytool/tool-mytool:latest",
             "job_type": "continuous", "port": 8000},
        ]
    }  # fmt: skip
    plan = plan_for("mytool", _report(GRID_TOOL), grid_text=GRID_CRONTAB, current_jobs=current)
    refresh = next(j for j in plan.jobs if j.name == "refresh")
    assert (refresh.schedule, refresh.command) == ("17 */6 * * *", "refresh")
    assert next(e for e in plan.procfile if e.name == "refresh").command == (
        "python3 bot/refresh.py"
    )
    api = next(j for j in plan.jobs if j.name == "api")
    assert (api.command, api.port) == ("web", 8000)  # already on the build service: untouched
    assert plan.delete_jobs == ("oneshot",)
    assert plan.steps[-1] == "toolforge jobs delete oneshot"
    assert {"already-migrated", "delete-old-jobs", "one-off"} <= _ids(plan)


def test_code_left_on_nfs_is_mounted_and_flagged() -> None:
    plan = plan_for(
        "mytool",
        _report(SAMPLES["python"]),
        grid_text="@daily jsub -N dump -o ~/logs/dump.log python3 ~/scripts/dump.py",
    )
    (job,) = plan.jobs
    assert (job.mount, job.filelog, job.filelog_stdout) == ("all", True, "logs/dump.log")
    assert next(e for e in plan.procfile if e.name == "dump").command == (
        "python3 $TOOL_DATA_DIR/scripts/dump.py"
    )
    assert "code-on-nfs" in {p.id for p in plan.warnings}
    assert ".python-version" not in {f.path for f in plan.files}  # already pinned to 3.12
    assert plan.runtime_version == "3.12"


def test_one_off_jobs_are_run_on_demand_not_loaded() -> None:
    plan = plan_for("mytool", _report(SAMPLES["python"]), grid_text="jsub -sync y ./bot/run.sh")
    assert plan.jobs == () and plan.jobs_command is None
    assert "jobs.yaml" not in {f.path for f in plan.files}
    assert plan.steps[-1] == (
        "toolforge jobs run run --image tool-mytool/tool-mytool:latest --command run --wait"
        "  (when needed)"
    )
    assert "not-executable" in _ids(plan)


def test_secrets_become_envvar_steps_and_other_settings_stay_on_their_jobs() -> None:
    plan = plan_for(
        "mytool",
        _report(SAMPLES["python"]),
        grid_text="LANG=C.UTF-8\nBOT_PASSWORD=hunter2\n@daily jsub -N x python3 bot/update.py",
    )
    assert "toolforge envvars create BOT_PASSWORD" in plan.steps
    assert not any("envvars create LANG" in step for step in plan.steps)
    assert next(e for e in plan.procfile if e.name == "x").command == (
        "LANG=C.UTF-8 python3 bot/update.py"
    )
    assert "hunter2" not in repr(plan)


def test_without_a_repository_jobs_stay_on_prebuilt_images() -> None:
    plan = plan_for("mytool", None, grid_text="@daily jsub -N x python3 ~/x.py")
    (job,) = plan.jobs
    assert (job.image, job.command) == ("python3.11", "python3 ~/x.py")
    assert plan.procfile == ()
    assert [f.path for f in plan.files] == ["jobs.yaml"]
    assert "repo-local-path" in _ids(plan)


def test_quota_warnings() -> None:
    grid = "\n".join(f"jstart -N bot{i} ./bot/run.sh" for i in range(3))
    plan = plan_for("mytool", _report(SAMPLES["python"]), grid_text=grid)
    assert "quota-continuous" in {p.id for p in plan.warnings}  # 3 bots + the web service
    many = "\n".join(f"@hourly jsub -N r{i} ./bot/run.sh" for i in range(51))
    assert "quota-cron" in _ids(plan_for("mytool", _report(SAMPLES["python"]), grid_text=many))


def test_existing_procfile_is_kept_and_reused() -> None:
    files = dict(
        SAMPLES["python"], Procfile="web: gunicorn app:app\nupdate: python bot/update.py\n"
    )
    plan = plan_for("mytool", _report(files), grid_text="@daily jsub python bot/update.py")
    assert "Procfile" not in {f.path for f in plan.files}  # nothing new to add
    (job,) = plan.jobs
    assert job.command == "update"
    assert plan.webservice_command is not None
    assert plan.webservice_command.startswith("toolforge jobs run web --image tool-mytool/")


def test_generic_grid_webservice_becomes_the_web_process() -> None:
    plan = plan_for(
        "mytool",
        _report({"Cargo.toml": "[package]\n", "src/main.rs": ""}),
        grid_text="webservice --backend=gridengine generic start -- ~/target/release/server",
    )
    assert next(e for e in plan.procfile if e.name == "web").command == (
        "$TOOL_DATA_DIR/target/release/server"
    )
    assert "web-port" in {p.id for p in plan.warnings}


def test_php_grid_tool_gets_a_composer_json() -> None:
    files = {"public_html/index.php": "<?php echo new IntlDateFormatter('en', 1, 1);"}
    plan = plan_for("mytool", _report(files), grid_text="webservice --backend=gridengine start")
    assert (
        _file(plan, "composer.json") == '{\n    "require": {\n        "ext-intl": "*"\n    }\n}\n'
    )
    assert _file(plan, "Procfile") == "web: heroku-php-apache2 public_html/\n"
    assert {"php-no-composer", "php-extensions"} <= {p.id for p in plan.warnings}


def test_a_running_job_keeps_its_mount_file_logs_and_resources_when_it_moves() -> None:
    """The jobs API's own words (defaults resolved): a working job must not lose NFS or
    its log files on the new image (the issue's 'mount: all was dropped')."""
    current = {"jobs": [
        {"name": "relay", "cmd": "python3 bot/refresh.py --all", "image": "python3.11",
         "job_type": "continuous", "mount": "all", "filelog": True, "memory": "2.0Gi",
         "cpu": "0.5", "emails": "onfailure",
         "filelog_stdout": "/data/project/mytool/relay.out",
         "filelog_stderr": "/data/project/mytool/relay.err"},
        {"name": "quiet", "cmd": "python3 bot/refresh.py", "image": "python3.11",
         "job_type": "scheduled", "schedule": "@daily", "filelog": False, "retry": 2,
         "timeout": 600},
    ]}  # fmt: skip
    plan = plan_for("mytool", _report(GRID_TOOL), current_jobs=current)
    jobs = {job.name: job for job in plan.jobs}
    relay, quiet = jobs["relay"], jobs["quiet"]
    assert relay.image == quiet.image == "tool-mytool/tool-mytool:latest"
    assert (relay.mount, relay.filelog, relay.mem, relay.cpu, relay.emails) == (
        "all", True, "2Gi", "0.5", "onfailure"
    )  # fmt: skip
    # it had no log files: none on the new image either (its default)
    assert (quiet.mount, quiet.filelog, quiet.retry, quiet.timeout) == ("all", None, 2, 600)
    kept = {p.job: p.message for p in plan.problems if p.id == "options-kept"}
    assert "keeps mount: all (NFS, the tool home) and filelog: true (its output in " in (
        kept["relay"]
    )
    assert "~/relay.out and ~/relay.err" in kept["relay"]
    assert kept["quiet"].startswith("keeps mount: all (NFS, the tool home) as it runs today")
    assert "  mount: all\n  filelog: true\n" in _file(plan, "jobs.yaml")


def test_grid_lines_get_only_what_the_planner_sees_they_need() -> None:
    plan = plan_for("mytool", _report(GRID_TOOL), grid_text=GRID_CRONTAB)
    refresh = next(j for j in plan.jobs if j.name == "refresh")
    assert (refresh.mount, refresh.filelog) == (None, None)  # history, not a running job
    assert "options-kept" not in _ids(plan)


def test_a_published_job_stays_published_and_gets_no_second_web_service() -> None:
    current = {"jobs": [
        {"name": "webservice", "cmd": "web", "image": "tool-mytool/tool-mytool:latest",
         "job_type": "continuous", "port": 8000, "publish": "/", "mount": "none"},
    ]}  # fmt: skip
    plan = plan_for("mytool", _report(GRID_TOOL), current_jobs=current)
    (web,) = [job for job in plan.jobs if job.name == "webservice"]
    assert (web.publish, web.port) == (True, 8000)
    assert plan.web_job is None and plan.webservice_command is None
    assert "webservice stop" not in plan.steps
    assert '  port: 8000\n  publish: "/"\n' in _file(plan, "jobs.yaml")


def test_a_classic_web_service_becomes_a_published_job_to_create() -> None:
    plan = plan_for("mytool", _report(GRID_TOOL), grid_text=GRID_CRONTAB)
    web = plan.web_job
    assert web is not None
    assert (web.name, web.command, web.kind, web.port, web.publish, web.image) == (
        "web", "web", "continuous", 8000, True, "tool-mytool/tool-mytool:latest"
    )  # fmt: skip
    assert plan.steps.index("webservice stop") + 1 == plan.steps.index(plan.webservice_command)
