"""A migration never breaks a working tool: scenarios on the simulator and its offline GitLab.

- the build uses the change: it waits for the merge request, or builds its branch when
  the maintainer chooses so;
- no job is loaded on an image whose Procfile lacks the process types they run;
- a failed build changes no job;
- "complete" only once every job came up (and the web front answers); otherwise what is
  pending or failing, with a redacted log excerpt;
- 'migrate undo' defines the jobs again as they were, and deletes the ones it created;
- a job keeps its options (mount, file logs, memory) when it moves.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.config import GitLabSettings
from bot.core import Bot
from bot.message import ChatIdentity, Message
from bot.reply import Reply, plain_text
from bot.toolforge.sandbox import FakeGitLab, Sandbox
from tests.conftest import MakeBot
from tests.migration.test_migrate_conversation import LEGACY_REPO, confirm, say

TOKEN = "maintainer-token"
WEB_REPO = {
    "requirements.txt": "flask\ngunicorn\n",
    "app.py": "from flask import Flask\n\napp = Flask(__name__)\n",
}
MOVED = ("irc-relay", "rebuild-index")  # the sample-legacy jobs that move to the new image


@pytest.fixture
def gitlab(sandbox: Sandbox) -> FakeGitLab:
    assert sandbox.gitlab is not None
    return sandbox.gitlab


async def _bot(make_bot: MakeBot, gitlab: FakeGitLab, tmp_path: Path) -> Bot:
    return await make_bot(
        database_url=f"sqlite:///{tmp_path / 'safety.sqlite3'}",
        gitlab=GitLabSettings(url=gitlab.url, token=TOKEN),
    )


async def ask(bot: Bot, account: str, line: str) -> Reply:
    """The reply itself, to see whether it is private."""
    reply = await bot.handle(
        Message("console", ChatIdentity("console", account, account), line, direct=True)
    )
    assert reply is not None
    return reply


async def _legacy(make_bot: MakeBot, gitlab: FakeGitLab, tmp_path: Path) -> Bot:
    """bob at the build step of sample-legacy, with the merge request !1 open."""
    gitlab.add_project(
        "toolforge-repos/sample-legacy", LEGACY_REPO, writers={TOKEN}, executable={"bin/relay.sh"}
    )
    bot = await _bot(make_bot, gitlab, tmp_path)
    await say(bot, "bob", "migrate sample-legacy")
    await say(bot, "bob", f"migrate repo {gitlab.url}/toolforge-repos/sample-legacy")
    opened = await confirm(bot, "bob", await say(bot, "bob", "migrate go"))
    assert "Merge request !1 opened" in opened
    return bot


async def _merged_and_built(bot: Bot, sandbox: Sandbox, account: str, tool: str) -> str:
    """``account`` opens the merge request, merges it, builds; what status then says."""
    assert sandbox.gitlab is not None
    await say(bot, account, f"migrate {tool}")
    await say(bot, account, f"migrate repo {sandbox.gitlab.url}/toolforge-repos/{tool}")
    await confirm(bot, account, await say(bot, account, "migrate go"))
    sandbox.merge(tool)
    await confirm(bot, account, await say(bot, account, "migrate go"))
    sandbox.advance_builds(5)
    return await say(bot, account, "migrate status")


async def _definitions(bot: Bot, tool: str) -> dict[str, dict[str, Any]]:
    return {d["name"]: d for d in await bot.services.toolforge.job_definitions(tool)}


async def _audit(bot: Bot, tool: str) -> list[tuple[str, str]]:
    events = await bot.services.store.audit_events(tool=tool)
    return [(e.action, e.result) for e in reversed(events)]


async def test_the_build_waits_for_the_merge_request_then_builds_the_merged_change(
    make_bot: MakeBot, sandbox: Sandbox, gitlab: FakeGitLab, tmp_path: Path
) -> None:
    bot = await _legacy(make_bot, gitlab, tmp_path)
    client = bot.services.toolforge
    builds = len(await client.list_builds("sample-legacy"))

    for _ in range(2):  # each 'migrate go' reads the merge request's state again
        waiting = await say(bot, "bob", "migrate go")
        assert "Waiting for the merge request !1 to be merged" in waiting
        assert (
            "Say 'migrate go' again once it is merged, or 'migrate go --from-branch' to build "
            "the branch forgebot/build-service now."
        ) in waiting
        assert "confirm" not in waiting
    assert len(await client.list_builds("sample-legacy")) == builds, "nothing was built"
    mr_reads = [r for r in gitlab.requests if r.path.endswith("/merge_requests/1")]
    assert len(mr_reads) == 2 and all(r.token == TOKEN for r in mr_reads)

    assert "merged !1" in sandbox.merge("sample-legacy")
    asked = await say(bot, "bob", "migrate go")
    assert "start a build of sample-legacy from " in asked
    assert "at main (the merge request !1 is merged)" in asked
    await confirm(bot, "bob", asked)
    latest = await client.latest_build("sample-legacy")
    assert latest is not None and latest.ref == "main"
    sandbox.advance_builds(5)
    assert "succeeded" in await say(bot, "bob", "migrate status")

    loaded = await confirm(bot, "bob", await say(bot, "bob", "migrate go"))
    assert "Jobs loaded." in loaded
    checked = await say(bot, "bob", "migrate go")
    assert "All new jobs are up." in checked and "The migration is complete." in checked
    assert "rebuild-index" in checked and "loaded; it has not run since" in checked
    assert ("migrate build", "ok") in await _audit(bot, "sample-legacy")


async def test_the_merge_requests_branch_is_built_only_when_chosen(
    make_bot: MakeBot, sandbox: Sandbox, gitlab: FakeGitLab, tmp_path: Path
) -> None:
    bot = await _legacy(make_bot, gitlab, tmp_path)
    client = bot.services.toolforge
    refused = await say(bot, "bob", "migrate status --from-branch")
    assert "unknown option '--from-branch'" in refused  # only 'go' takes it

    asked = await say(bot, "bob", "migrate go --from-branch")
    assert (
        "at the branch forgebot/build-service of the merge request !1, not merged yet "
        "(main does not have the planned files)"
    ) in asked
    await confirm(bot, "bob", asked)
    latest = await client.latest_build("sample-legacy")
    assert latest is not None and latest.ref == "forgebot/build-service"
    project = gitlab.projects["toolforge-repos/sample-legacy"]
    assert project.merge_requests[0]["state"] == "opened"
    assert "Procfile" not in project.files["main"]

    sandbox.advance_builds(5)
    await say(bot, "bob", "migrate status")
    assert "--from-branch chooses what a new build uses" in await say(
        bot, "bob", "migrate go --from-branch"
    )
    # the branch's commit has the Procfile: its process types are there, the jobs load
    loaded = await confirm(bot, "bob", await say(bot, "bob", "migrate go"))
    assert "Jobs loaded." in loaded
    assert "All new jobs are up." in await say(bot, "bob", "migrate go")


async def test_no_job_is_loaded_on_an_image_built_without_the_change(
    make_bot: MakeBot, sandbox: Sandbox, gitlab: FakeGitLab, tmp_path: Path
) -> None:
    """The issue's case: main is built right after the merge request is opened (here by
    hand), so the image's Procfile has none of the planned process types."""
    bot = await _legacy(make_bot, gitlab, tmp_path)
    client = bot.services.toolforge
    before = await _definitions(bot, "sample-legacy")
    source = f"{gitlab.url}/toolforge-repos/sample-legacy.git"
    await client.start_build("sample-legacy", source, ref="main")
    await say(bot, "bob", "migrate skip")  # "I built it myself"
    sandbox.advance_builds(5)

    refused = await say(bot, "bob", "migrate go")
    assert "confirm" not in refused
    assert "Procfile does not define the process types irc-relay, rebuild-index" in refused
    assert "the jobs irc-relay, rebuild-index would not start, so I loaded nothing" in refused
    assert "Merge the merge request !1, then build again" in refused
    assert await _definitions(bot, "sample-legacy") == before
    assert ("migrate jobs", "invalid") in await _audit(bot, "sample-legacy")


async def test_a_failed_build_changes_no_job(
    make_bot: MakeBot, sandbox: Sandbox, gitlab: FakeGitLab, tmp_path: Path
) -> None:
    broken = {**LEGACY_REPO, "requirements.txt": "requests\nsandbox-missing-package\n"}
    gitlab.add_project("toolforge-repos/sample-legacy", broken, writers={TOKEN})
    bot = await _bot(make_bot, gitlab, tmp_path)
    before = await _definitions(bot, "sample-legacy")
    failed = await _merged_and_built(bot, sandbox, "bob", "sample-legacy")
    assert "[build failed]" in failed and "No matching distribution found" in failed
    assert "now at 'build'" in failed
    again = await say(bot, "bob", "migrate go")
    assert again.startswith("This will start a build of sample-legacy")  # not the jobs
    assert await _definitions(bot, "sample-legacy") == before


async def test_undo_defines_the_jobs_again_as_they_were(
    make_bot: MakeBot, sandbox: Sandbox, gitlab: FakeGitLab, tmp_path: Path
) -> None:
    bot = await _legacy(make_bot, gitlab, tmp_path)
    client = bot.services.toolforge
    before = await _definitions(bot, "sample-legacy")
    refused = await say(bot, "bob", "migrate undo")
    assert "there is nothing to undo" in refused
    sandbox.merge("sample-legacy")
    await confirm(bot, "bob", await say(bot, "bob", "migrate go"))
    sandbox.advance_builds(5)
    await say(bot, "bob", "migrate status")
    loaded = await confirm(bot, "bob", await say(bot, "bob", "migrate go"))
    assert "migrate undo defines the jobs again as they were" in loaded
    # the options the jobs had survive the move
    relay = await client.get_job("sample-legacy", "irc-relay")
    assert (relay.image, relay.mount, relay.filelog) == (
        "tool-sample-legacy/tool-sample-legacy:latest", "all", True
    )  # fmt: skip
    index = await client.get_job("sample-legacy", "rebuild-index")
    assert (index.mount, index.memory, index.schedule) == ("all", "2.0Gi", "30 2 * * 0")
    assert await _definitions(bot, "sample-legacy") != before

    await say(bot, "carol", "migrate sample-legacy")
    refused = await say(bot, "carol", "migrate undo")
    assert "only maintainers of 'sample-legacy' may undo its migration" in refused
    asked = await say(bot, "bob", "migrate undo")
    assert (
        "This will define the jobs of sample-legacy again as they were before the migration "
        "(irc-relay, update-stats, rebuild-index)."
    ) in asked
    undone = await confirm(bot, "bob", asked)
    assert "The jobs of sample-legacy are defined as before the migration" in undone
    assert await _definitions(bot, "sample-legacy") == before
    relay = await client.get_job("sample-legacy", "irc-relay")
    assert relay.image == "python3.9"
    assert "now at 'jobs'" in await say(bot, "bob", "migrate status")
    audit = await _audit(bot, "sample-legacy")
    assert audit[-2:] == [("migrate undo", "requested"), ("migrate undo", "ok")]


async def _web_at_its_step(
    make_bot: MakeBot, sandbox: Sandbox, gitlab: FakeGitLab, tmp_path: Path
) -> tuple[Bot, str]:
    """dave's sample-empty, a Flask app served by a classic web service, built and ready
    for its web service to run as a job; returns the confirmation that asks for it."""
    gitlab.add_project("toolforge-repos/sample-empty", WEB_REPO, writers={TOKEN})
    bot = await _bot(make_bot, gitlab, tmp_path)
    built = await _merged_and_built(bot, sandbox, "dave", "sample-empty")
    assert "Next: stop the classic web service yourself: as the tool, type webservice stop" in (
        built
    )
    told = await say(bot, "dave", "migrate go")
    assert "become sample-empty, type webservice stop, then reply migrate skip" in told
    assert "confirm" not in told
    await say(bot, "dave", "migrate skip")
    asked = await say(bot, "dave", "migrate go")
    assert (
        "This will run the web service of sample-empty as the continuous job web on "
        "tool-sample-empty/tool-sample-empty:latest (command web, port 8000), published at "
        "https://sample-empty.toolforge.org/."
    ) in asked
    return bot, asked


async def test_the_web_service_runs_as_a_published_job_and_the_front_answers(
    make_bot: MakeBot, sandbox: Sandbox, gitlab: FakeGitLab, tmp_path: Path
) -> None:
    bot, asked = await _web_at_its_step(make_bot, sandbox, gitlab, tmp_path)
    assert "The web service runs as the job web" in await confirm(bot, "dave", asked)
    web = await bot.services.toolforge.get_job("sample-empty", "web")
    assert (web.job_type, web.port, web.publish, web.cmd) == ("continuous", 8000, True, "web")
    checked = await say(bot, "dave", "migrate go")
    assert "All new jobs are up." in checked and "The migration is complete." in checked
    assert f"{sandbox.front_url('sample-empty')} answered HTTP 200" in checked


async def test_a_web_service_that_does_not_come_up_is_not_complete_and_undo_removes_it(
    make_bot: MakeBot, sandbox: Sandbox, gitlab: FakeGitLab, tmp_path: Path
) -> None:
    bot, asked = await _web_at_its_step(make_bot, sandbox, gitlab, tmp_path)
    client = bot.services.toolforge
    await client.set_envvar("sample-empty", "DB_PASSWORD", "s3cret-SECRET-dbpass")
    await confirm(bot, "dave", asked)
    sandbox.crash("sample-empty", "web", 1, (
        "Traceback (most recent call last):",
        "pymysql.err.OperationalError: access denied with s3cret-SECRET-dbpass",
    ))  # fmt: skip

    reply = await ask(bot, "dave", "migrate go")
    checked = plain_text(reply)
    assert "The migration is not complete: 1 of 1 jobs are pending or failing." in checked
    assert "crash-looping (restarted" in checked
    assert "Last 2 log lines of web:" in checked
    assert "pymysql.err.OperationalError: access denied with [REDACTED]" in checked
    assert "SECRET" not in checked
    assert reply.private, "log lines go to the maintainer only"
    assert "now at 'check'" in await say(bot, "dave", "migrate status")
    assert ("migrate check", "failed") in await _audit(bot, "sample-empty")

    asked = await say(bot, "dave", "migrate undo")
    assert "(no jobs) and delete the jobs it created (web)" in asked
    undone = await confirm(bot, "dave", asked)
    assert "deleted web." in undone
    assert "Start the classic web service again yourself" in undone
    assert [j.name for j in await client.list_jobs("sample-empty")] == []
    assert "now at 'webstop'" in await say(bot, "dave", "migrate status")


async def test_a_published_job_keeps_being_published_and_no_second_web_job_is_planned(
    make_bot: MakeBot, sandbox: Sandbox, gitlab: FakeGitLab, tmp_path: Path
) -> None:
    """sample-web's web service already is a published job: the plan carries it over as
    it is (loading it without 'publish' would take the website down)."""
    bot = await _bot(make_bot, gitlab, tmp_path)
    await say(bot, "alice", "migrate sample-web")
    await say(bot, "alice", "migrate repo toolforge-repos/sample-web")
    plan = await say(bot, "alice", "migrate plan")
    assert "webservice stop" not in plan and "--publish" not in plan
    assert 'publish: "/"' in plan  # in jobs.yaml


async def test_a_closed_merge_request_is_said_and_nothing_is_built(
    make_bot: MakeBot, sandbox: Sandbox, gitlab: FakeGitLab, tmp_path: Path
) -> None:
    bot = await _legacy(make_bot, gitlab, tmp_path)
    gitlab.projects["toolforge-repos/sample-legacy"].merge_requests[0]["state"] = "closed"
    said = await say(bot, "bob", "migrate go")
    assert "The merge request !1 is closed, not merged" in said
    assert "Reopen and merge it, then say 'migrate go'" in said
    assert "confirm" not in said
    assert await bot.services.toolforge.latest_build("sample-legacy") is None
    await say(bot, "bob", "migrate back")
    assert "now at 'build'" in await say(bot, "bob", "migrate skip")  # committed by hand
    asked = await say(bot, "bob", "migrate go")
    assert "at main (" not in asked and asked.startswith("This will start a build")
