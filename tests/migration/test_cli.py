"""``forgebot plan`` on a sample repository: readable text, stable JSON."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import yaml

from bot.cli.plan import plan_main

from .samples import GRID_CRONTAB, GRID_TOOL, write_repo


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_repo(tmp_path / "mytool", GRID_TOOL, executable=frozenset({"bot/ircbot.sh"}))


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = plan_main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_text_plan(repo: Path, tmp_path: Path) -> None:
    grid = tmp_path / "crontab.txt"
    grid.write_text(GRID_CRONTAB)
    code, out, err = _run("--repo", str(repo), "--grid", str(grid))
    assert (code, err) == (0, "")
    assert out.startswith(
        "Migration plan for mytool to the build service image tool-mytool/tool-mytool:latest\n"
        f"Repository: {repo}; builds as python 3.13 (heroku/python)\n"
    )
    assert "refresh: python3 bot/refresh.py --all\n" in out
    assert "  image: tool-mytool/tool-mytool:latest\n" in out
    assert "2. toolforge build start https://gitlab.wikimedia.org/toolforge-repos/mytool\n" in out
    assert "- warning ircbot: the grid restarted it only after a failure" in out
    assert "guide <migration_guides/jobs.md#continuous-jobs>" in out


def test_json_plan_is_machine_readable_and_stable(repo: Path, tmp_path: Path) -> None:
    grid = tmp_path / "crontab.txt"
    grid.write_text(GRID_CRONTAB)
    jobs = tmp_path / "jobs.json"
    jobs.write_text(json.dumps({"jobs": [{"name": "stale", "cmd": "./s", "image": "bookworm",
                                          "job_type": "one-off"}]}))  # fmt: skip
    base = "https://example.org/forgebot/-/blob/main"
    argv = ("--repo", str(repo), "--grid", str(grid), "--jobs", str(jobs), "--format", "json",
            "--tool", "mytool", "--guide-base", base)  # fmt: skip
    code, first, _ = _run(*argv)
    assert code == 0
    assert _run(*argv)[1] == first  # byte for byte the same on a second run
    data = json.loads(first)
    assert list(data) == sorted(data)
    assert set(data) == {
        "schema", "tool", "repository", "detected", "image", "procfile", "jobs",
        "on_demand_jobs", "files", "envvars", "commands", "delete_jobs", "steps", "problems",
    }  # fmt: skip
    assert data["schema"] == "forgebot.migration-plan/1"
    assert data["detected"] == {"language": "python", "buildpack": "heroku/python",
                                "runtime_version": "3.13"}  # fmt: skip
    assert [j["name"] for j in data["jobs"]] == ["refresh", "ircbot", "cleanup"]
    assert set(data["jobs"][0]) == {
        "name", "command", "kind", "image", "schedule", "mem", "cpu", "emails", "retry",
        "timeout", "mount", "filelog", "filelog_stdout", "filelog_stderr", "port", "replicas",
        "health_check_http", "health_check_script", "wait",
    }  # fmt: skip
    assert data["delete_jobs"] == ["stale"]
    paths = [f["path"] for f in data["files"]]
    assert paths == ["Procfile", "jobs.yaml", "Aptfile", ".python-version", "requirements.txt"]
    assert data["problems"][0]["guide"].startswith(
        "https://example.org/forgebot/-/blob/main/migration_guides/"
    )
    assert data["commands"]["webservice"] == (
        "toolforge jobs run web --image tool-mytool/tool-mytool:latest --command web "
        "--continuous --port 8000 --publish --mount=all"
    )


def test_components_option_writes_a_toolforge_yaml(repo: Path, tmp_path: Path) -> None:
    grid = tmp_path / "crontab.txt"
    grid.write_text(GRID_CRONTAB)
    code, out, _ = _run("--repo", str(repo), "--grid", str(grid), "--format", "json",
                        "--components")  # fmt: skip
    assert code == 0
    data = json.loads(out)
    files = {f["path"]: f["content"] for f in data["files"]}
    config = yaml.safe_load(files["toolforge.yaml"])
    assert config["config_version"] == "v1beta1"
    web, refresh = config["components"]["web"], config["components"]["refresh"]
    assert web["run"] == {"command": "web", "port": 8000, "publish": "/", "mount": "all"}
    assert web["build"]["repository"] == "https://gitlab.wikimedia.org/toolforge-repos/mytool"
    assert refresh["build"] == {"reuse_from": "web"}
    assert refresh["run"]["schedule"] == "0 */6 * * *"
    assert "jobs.yaml" in files  # cleanup runs PHP: it stays on a pre-built image
    assert any("POST /components/v1/tool/mytool/deployment" in step for step in data["steps"])
    assert not any(step.startswith("toolforge build start") for step in data["steps"])


def test_crontab_kept_in_the_repository_is_used(tmp_path: Path) -> None:
    repo = write_repo(tmp_path / "bot", {"requirements.txt": "", "crontab": "@daily jsub -N d x"})
    code, out, _ = _run("--repo", str(repo), "--format", "json")
    assert code == 0
    assert [j["name"] for j in json.loads(out)["jobs"]] == ["d"]


def test_errors_are_sentences(tmp_path: Path) -> None:
    code, _, err = _run("--repo", str(tmp_path), "--grid", str(tmp_path / "missing.txt"),
                        "--tool", "x")  # fmt: skip
    assert code == 1
    assert err.startswith("forgebot plan: cannot read ") and "No such file" in err
    code, _, err = _run("--repo", str(tmp_path), "--tool", "Not A Tool")
    assert (code, err) == (
        1,
        "forgebot plan: 'Not A Tool' is not a tool name; give one with --tool.\n",
    )
    assert _run("--format", "json")[0] == 2  # nothing to plan from


def test_grid_alone_plans_without_a_repository(tmp_path: Path) -> None:
    grid = tmp_path / "crontab"
    grid.write_text("0 5,13,21 * * * jsub -once python3 fvc.py -park -close -auto\n")
    code, out, err = _run("--grid", str(grid), "--tool", "fvcbot", "--format", "json")
    assert (code, err) == (0, "")
    (job,) = json.loads(out)["jobs"]
    assert (job["name"], job["image"], job["command"]) == (
        "fvc",
        "python3.11",
        "python3 fvc.py -park -close -auto",
    )
    code, _, err = _run("--grid", str(grid))
    assert (code, err) == (1, "forgebot plan: give the tool's name with --tool.\n")


def test_a_missing_directory_is_named_not_sent_to_gitlab(tmp_path: Path) -> None:
    for missing in (str(tmp_path / "nope"), "./nope", "mytool-src"):
        code, _, err = _run("--repo", missing, "--tool", "x")
        assert code == 1
        assert (
            err == f"forgebot plan: {missing}: no such directory (a GitLab project is "
            "group/project or its URL).\n"
        )
