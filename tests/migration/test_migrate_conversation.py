"""The migrate conversation end to end: sandbox Toolforge API, fake GitLab, a restart."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest

from adapters.console import ConsoleAdapter
from bot.config import GitLabSettings
from bot.core import Bot
from bot.toolforge.sandbox import FakeGitLab, Sandbox
from tests.conftest import ENVVARS_FAULTS, HANG_TIMEOUT, MakeBot, break_envvars

LEGACY_REPO = {
    "requirements.txt": "requests\n",
    ".python-version": "3.12\n",
    "rebuild.py": "print('index')\n",
    "bin/relay.sh": "#!/bin/sh\nexec python relay.py\n",
    "relay.py": "print('relay')\n",
}


@pytest.fixture
def gitlab(sandbox: Sandbox) -> FakeGitLab:
    """The sandbox's own GitLab: its builds clone what the migration commits there."""
    assert sandbox.gitlab is not None
    return sandbox.gitlab


async def _bot(make_bot: MakeBot, db: Path, gitlab: FakeGitLab, **changes: Any) -> Bot:
    return await make_bot(
        database_url=f"sqlite:///{db}",
        gitlab=GitLabSettings(url=gitlab.url, token="maintainer-token"),
        **changes,
    )


async def say(bot: Bot, account: str, line: str) -> str:
    adapter = ConsoleAdapter(bot, account, stdin=io.StringIO(), stdout=io.StringIO(), colour=False)
    return "\n".join(await adapter.handle_line(line))


async def confirm(bot: Bot, account: str, asked: str) -> str:
    found = re.search(r"confirm (\d{4})", asked)
    assert found, asked
    return await say(bot, account, f"confirm {found.group(1)}")


async def test_full_migration_across_a_restart(
    make_bot: MakeBot, sandbox: Sandbox, gitlab: FakeGitLab, tmp_path: Path
) -> None:
    project = gitlab.add_project(
        "toolforge-repos/sample-legacy", LEGACY_REPO, writers={"maintainer-token"},
        executable={"bin/relay.sh"},
    )  # fmt: skip
    db = tmp_path / "wizard.sqlite3"
    bot = await _bot(make_bot, db, gitlab)

    started = await say(bot, "bob", "migrate sample-legacy")
    assert "sample-legacy has irc-relay (python3.9), update-stats (php7.4)" in started
    assert "Where is the code?" in started
    review = await say(bot, "bob", f"migrate repo {gitlab.url}/toolforge-repos/sample-legacy")
    assert "The repository builds as python 3.12 (heroku/python)." in review
    assert "To start, reply migrate go" in review
    assert "update-stats: image php7.4 is deprecated" in review  # it stays on that image
    assert "irc-relay: image python3.9 is deprecated" not in review  # it moves off it

    asked = await say(bot, "bob", "migrate go")
    assert asked.startswith("This will open a merge request on ")
    assert project.merge_requests == []  # nothing happens before confirming
    opened = await confirm(bot, "bob", asked)
    assert "Merge request !1 opened with Procfile, jobs.yaml" in opened
    (mr,) = project.merge_requests
    assert set(project.commits[0]["actions"][0]) == {"action", "file_path", "content"}
    assert "Next: build the image" in opened

    bot = await _bot(make_bot, db, gitlab)  # a restart: a new bot on the same database
    status = await say(bot, "bob", "migrate status")
    assert "now at 'build'" in status and "mr ✓" in status
    assert "merged" in sandbox.merge("sample-legacy")  # the maintainer merges it in GitLab

    started_build = await confirm(bot, "bob", await say(bot, "bob", "migrate go"))
    assert "Build sample-legacy-buildpacks-pipelinerun-" in started_build
    assert "The build is running; follow it with migrate status." in started_build
    assert "is pending" in await say(bot, "bob", "migrate status")
    sandbox.advance_builds(5)
    built = await say(bot, "bob", "migrate status")
    assert "succeeded" in built and "Next: create or update the jobs" in built

    loaded = await confirm(bot, "bob", await say(bot, "bob", "migrate go"))
    assert "Jobs loaded." in loaded
    jobs = {j.name: j for j in await bot.services.toolforge.list_jobs("sample-legacy")}
    assert jobs["rebuild-index"].image == "tool-sample-legacy/tool-sample-legacy:latest"
    assert jobs["rebuild-index"].cmd == "rebuild-index"
    assert jobs["update-stats"].image == "php7.4"  # PHP stays on its pre-built image

    checked = await say(bot, "bob", "migrate go")
    assert "All new jobs are up." in checked
    assert "The migration is complete." in checked
    relay = await bot.services.toolforge.get_job("sample-legacy", "irc-relay")
    assert (relay.state, relay.restarts) == ("running", 0)

    events = await bot.services.store.audit_events(tool="sample-legacy")
    assert [(e.action, e.actor_account, e.result) for e in reversed(events)] == [
        ("migrate start", "bob", "ok"),
        ("migrate mr", "bob", "requested"),
        ("migrate mr", "bob", "ok"),
        ("migrate build", "bob", "requested"),
        ("migrate build", "bob", "ok"),
        ("migrate jobs", "bob", "requested"),
        ("migrate jobs", "bob", "ok"),
        ("migrate check", "bob", "ok"),
    ]


async def test_failed_build_shows_the_reason_and_can_be_retried(
    make_bot: MakeBot, sandbox: Sandbox, gitlab: FakeGitLab, tmp_path: Path
) -> None:
    gitlab.add_project("toolforge-repos/cron-fail", {"requirements.txt": "", "x.py": ""})
    bot = await _bot(make_bot, tmp_path / "db.sqlite3", gitlab)
    # the tool already builds from there (the sandbox fails builds of URLs with "fail")
    source = f"{gitlab.url}/toolforge-repos/cron-fail"
    await bot.services.toolforge.start_build("sample-cron", source)
    await say(bot, "bob", "migrate sample-cron")
    await say(bot, "bob", f"migrate repo {gitlab.url}/toolforge-repos/cron-fail")
    await say(bot, "bob", "migrate skip")  # no merge request: bob commits the files himself
    await confirm(bot, "bob", await say(bot, "bob", "migrate go"))
    sandbox.advance_builds(5)
    failed = await say(bot, "bob", "migrate status")
    assert "[build failed]" in failed
    assert "ERROR: No matching distribution found for sandbox-missing-package" in failed
    assert "now at 'build'" in failed
    again = await say(bot, "bob", "migrate go")
    assert again.startswith("This will start a build of sample-cron")
    events = await bot.services.store.audit_events(tool="sample-cron")
    assert ("migrate mr", "skipped") in [(e.action, e.result) for e in events]


@pytest.mark.parametrize("fault", ENVVARS_FAULTS)
async def test_a_failed_build_shows_no_log_when_the_envvar_values_cannot_be_read(
    make_bot: MakeBot, sandbox: Sandbox, gitlab: FakeGitLab, tmp_path: Path, fault: str
) -> None:
    gitlab.add_project("toolforge-repos/cron-fail", {"requirements.txt": "", "x.py": ""})
    bot = await _bot(make_bot, tmp_path / "db.sqlite3", gitlab, timeout=HANG_TIMEOUT)
    source = f"{gitlab.url}/toolforge-repos/cron-fail"
    await bot.services.toolforge.start_build("sample-cron", source)
    await say(bot, "bob", "migrate sample-cron")
    await say(bot, "bob", f"migrate repo {source}")
    await say(bot, "bob", "migrate skip")
    await confirm(bot, "bob", await say(bot, "bob", "migrate go"))
    sandbox.advance_builds(5)
    break_envvars(sandbox, "sample-cron", fault)
    failed = await say(bot, "bob", "migrate status")
    assert "[build failed]" in failed and ENVVARS_FAULTS[fault] in failed
    assert "I showed no part of its log or message: I hide the values of sample-cron's" in failed
    assert "No matching distribution" not in failed and "[step-build]" not in failed
    assert ("GET", f"/builds/v1/tool/sample-cron/builds/{_build_id(failed)}/logs") not in (
        sandbox.requests
    )


def _build_id(text: str) -> str:
    found = re.search(r"Build (\S+) ended with", text)
    assert found, text
    return found.group(1)


async def test_non_maintainer_gets_the_plan_but_cannot_act(
    make_bot: MakeBot, gitlab: FakeGitLab, tmp_path: Path
) -> None:
    project = gitlab.add_project("toolforge-repos/sample-legacy", LEGACY_REPO, writers={"x"})
    bot = await _bot(make_bot, tmp_path / "db.sqlite3", gitlab)
    await say(bot, "carol", "migrate sample-legacy")
    review = await say(bot, "carol", f"migrate repo {gitlab.url}/toolforge-repos/sample-legacy")
    assert "Only the tool's maintainers can carry this out" in review
    plan = await say(bot, "carol", "migrate plan")
    assert "• rebuild-index scheduled" in plan  # what anyone may see
    # no command lines, file contents or steps for someone who does not maintain the tool
    for internal in ("python rebuild.py", "- name: ", "Steps, in order"):
        assert internal not in plan and internal not in review, internal
    assert "shown to the tool's maintainers" in plan and "shown to the tool's maintainers" in review
    refused = await say(bot, "carol", "migrate go")
    assert "only maintainers of 'sample-legacy' may carry out its migration" in refused
    assert project.merge_requests == []
    # bob maintains it: he sees all of it
    await say(bot, "bob", "migrate sample-legacy")
    await say(bot, "bob", f"migrate repo {gitlab.url}/toolforge-repos/sample-legacy")
    full = await say(bot, "bob", "migrate plan")
    assert "python rebuild.py" in full and "Steps, in order" in full


async def test_back_cancel_and_stale_confirmations(
    make_bot: MakeBot, gitlab: FakeGitLab, tmp_path: Path
) -> None:
    gitlab.add_project("toolforge-repos/sample-legacy", LEGACY_REPO)
    bot = await _bot(make_bot, tmp_path / "db.sqlite3", gitlab)
    await say(bot, "bob", "migrate sample-legacy")
    await say(bot, "bob", f"migrate repo {gitlab.url}/toolforge-repos/sample-legacy")
    asked = await say(bot, "bob", "migrate go")
    await say(bot, "bob", "migrate skip")
    assert "now at 'build'" in await say(bot, "bob", "migrate status")
    stale = await confirm(bot, "bob", asked)  # confirms the merge request, no longer current
    assert "no longer current" in stale
    assert "now at 'mr'" in await say(bot, "bob", "migrate back")
    assert "you are migrating sample-legacy" in await say(bot, "bob", "migrate sample-cron")
    assert "is cancelled" in await say(bot, "bob", "migrate cancel")
    assert "no migration in progress" in await say(bot, "bob", "migrate status")


async def test_obsolete_jobs_are_deleted_only_after_confirming(
    make_bot: MakeBot, sandbox: Sandbox, gitlab: FakeGitLab, tmp_path: Path
) -> None:
    files = {"requirements.txt": "", "daily.sh": "#!/bin/sh\n", "purge.py": ""}
    project = gitlab.add_project("toolforge-repos/sample-cron", files, executable={"daily.sh"})
    bot = await _bot(make_bot, tmp_path / "db.sqlite3", gitlab)
    await say(bot, "bob", "migrate sample-cron")
    review = await say(bot, "bob", f"migrate repo {gitlab.url}/toolforge-repos/sample-cron")
    assert "Jobs to delete afterwards: backfill" in review
    # bob commits the planned Procfile himself instead of a merge request
    procfile = "daily-report: ./daily.sh\npurge-cache: python3 purge.py --older-than 7d\n"
    project.files["main"]["Procfile"] = procfile
    await say(bot, "bob", "migrate skip")
    await confirm(bot, "bob", await say(bot, "bob", "migrate go"))
    sandbox.advance_builds(5)
    await say(bot, "bob", "migrate status")
    await confirm(bot, "bob", await say(bot, "bob", "migrate go"))  # load the jobs
    asked = await say(bot, "bob", "migrate go")
    assert asked.startswith("This will delete the jobs backfill of sample-cron.")
    names = {j.name for j in await bot.services.toolforge.list_jobs("sample-cron")}
    assert "backfill" in names
    deleted = await confirm(bot, "bob", asked)
    assert "Deleted backfill." in deleted
    names = {j.name for j in await bot.services.toolforge.list_jobs("sample-cron")}
    assert names == {"daily-report", "purge-cache"}
    assert "Next: check that the new jobs come up" in deleted


async def test_a_repository_named_in_chat_must_be_on_the_configured_gitlab(
    make_bot: MakeBot, gitlab: FakeGitLab, tmp_path: Path
) -> None:
    """No reading the bot's own disk, no sending its GitLab token to another host."""
    other = FakeGitLab()
    await other.start()
    try:
        other.add_project("evil/sample-legacy", LEGACY_REPO)
        bot = await _bot(make_bot, tmp_path / "db.sqlite3", gitlab)
        await say(bot, "bob", "migrate sample-legacy")
        for location in ("/etc", "~/.ssh", "./", "file:///etc/passwd"):
            refused = await say(bot, "bob", f"migrate repo {location}")
            assert "not a path on the bot's machine" in refused, location
        refused = await say(bot, "bob", f"migrate repo {other.url}/evil/sample-legacy")
        assert f"I only read repositories on {gitlab.url}" in refused
        assert other.requests == []
        gitlab.add_project("toolforge-repos/sample-legacy", LEGACY_REPO)
        review = await say(bot, "bob", "migrate repo toolforge-repos/sample-legacy")
        assert "error" not in review.lower().split("\n")[0]
        assert gitlab.requests, "a bare group/project is read from the configured GitLab"
    finally:
        await other.stop()
