"""The migrate conversation keeps forgebot's GitLab token, its disk and its confirmations
to what the speaker is entitled to: scenarios through the console adapter, against the
sandbox Toolforge API and the fake GitLab.

- acting steps only on a repository bound to the tool (its own, or its latest build's);
- the bot's token only for the tool's maintainers, on the tool's own repository;
- a repository named in chat is a GitLab project, never a directory of the bot;
- no credentials from a build's source URL in any sentence;
- a confirmation runs only what it described.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import GitLabSettings
from bot.core import Bot
from bot.toolforge.sandbox import FakeGitLab, Sandbox
from tests.conftest import MakeBot
from tests.migration.test_migrate_conversation import confirm, say

TOKEN = "bot-token"
APP = {
    "requirements.txt": "flask\n",
    "app.py": "from flask import Flask\napp = Flask(__name__)\n",
    "daily.sh": "#!/bin/sh\n",
}


@pytest.fixture
async def gitlab() -> AsyncIterator[FakeGitLab]:
    server = FakeGitLab()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def _bot(make_bot: MakeBot, gitlab: FakeGitLab) -> Bot:
    return await make_bot(gitlab=GitLabSettings(url=gitlab.url, token=TOKEN))


def _writes(gitlab: FakeGitLab) -> list[str]:
    return [r.path for r in gitlab.requests if r.method != "GET"]


async def _builds(bot: Bot, tool: str) -> int:
    return len(await bot.services.toolforge.list_builds(tool))


# -- 1. acting steps only on a repository bound to the tool -------------------------------


async def test_no_merge_request_or_build_on_another_tools_repository(
    make_bot: MakeBot, gitlab: FakeGitLab
) -> None:
    """bob maintains sample-cron, not sample-web; the bot's token could write to both."""
    victim = gitlab.add_project("toolforge-repos/sample-web", APP, writers={TOKEN})
    bot = await _bot(make_bot, gitlab)
    await say(bot, "bob", "migrate sample-cron")
    review = await say(bot, "bob", "migrate repo toolforge-repos/sample-web")
    assert "Files to add to the repository:" in review  # the plan is still shown

    refused = await say(bot, "bob", "migrate go")
    assert "confirm" not in refused
    assert (
        f"I open merge requests only on sample-cron's own repository, "
        f"{gitlab.url}/toolforge-repos/sample-cron, and {gitlab.url}/toolforge-repos/sample-web "
        "is not it. Commit the planned files yourself (see 'migrate plan'), then reply "
        "'migrate skip'; or ask a Toolforge admin"
    ) in refused

    await say(bot, "bob", "migrate skip")  # bob commits the files himself
    refused = await say(bot, "bob", "migrate go")
    assert "I start builds of sample-cron only from its own repository" in refused
    assert f"toolforge build start {gitlab.url}/toolforge-repos/sample-web" in refused
    assert victim.merge_requests == [] and _writes(gitlab) == []
    assert await _builds(bot, "sample-cron") == 0
    events = await bot.services.store.audit_events(tool="sample-cron")
    assert ("migrate mr", "refused") in [(e.action, e.result) for e in events]
    assert ("migrate build", "refused") in [(e.action, e.result) for e in events]


async def test_the_latest_builds_repository_may_be_built_but_gets_no_merge_request(
    make_bot: MakeBot, gitlab: FakeGitLab
) -> None:
    """Anyone maintaining a tool can build it from any public URL, so the latest build's
    source binds the build step, never the bot's token."""
    code = gitlab.add_project("someone/cron-code", APP, writers={TOKEN})
    bot = await _bot(make_bot, gitlab)
    await bot.services.toolforge.start_build("sample-cron", f"{gitlab.url}/someone/cron-code")
    started = await say(bot, "bob", "migrate sample-cron")
    assert "The repository builds as python" in started  # found through the latest build

    refused = await say(bot, "bob", "migrate go")
    assert "I open merge requests only on sample-cron's own repository" in refused
    await say(bot, "bob", "migrate skip")
    asked = await say(bot, "bob", "migrate go")
    assert asked.startswith(
        f"This will start a build of sample-cron from {gitlab.url}/someone/cron-code.git"
    )
    built = await confirm(bot, "bob", asked)
    assert "Build sample-cron-buildpacks-pipelinerun-" in built
    assert code.merge_requests == [] and _writes(gitlab) == []
    # the other project is read anonymously: the token is only for toolforge-repos/sample-cron
    assert {r.token for r in gitlab.requests} == {""}


# -- 2. the bot's token only for maintainers, on the tool's own repository ----------------


async def test_private_repository_is_read_with_the_token_only_for_the_tools_maintainers(
    make_bot: MakeBot, gitlab: FakeGitLab
) -> None:
    private = dict(APP, **{"requirements.txt": "flask\nprivate-marker==1\n"})
    gitlab.add_project(
        "toolforge-repos/sample-cron", private, visibility="private", readers={TOKEN}
    )  # fmt: skip
    gitlab.add_project(
        "toolforge-repos/sample-web", private, visibility="private", readers={TOKEN}
    )  # fmt: skip
    bot = await _bot(make_bot, gitlab)

    await say(bot, "mallory", "migrate sample-cron")  # maintains nothing
    refused = await say(bot, "mallory", "migrate repo toolforge-repos/sample-cron")
    assert "that I can read without a token: it does not exist or it is not public" in refused
    plan = await say(bot, "mallory", "migrate plan")
    assert "private-marker" not in plan and "private-marker" not in refused
    assert {r.token for r in gitlab.requests} == {""}

    gitlab.requests.clear()
    await say(bot, "bob", "migrate sample-cron")  # bob maintains sample-cron, not sample-web
    refused = await say(bot, "bob", "migrate repo toolforge-repos/sample-web")
    assert "it is not public" in refused and "private-marker" not in refused
    assert {r.token for r in gitlab.requests} == {""}

    review = await say(bot, "bob", "migrate repo toolforge-repos/sample-cron")
    assert "The repository builds as python" in review
    assert "private-marker" in await say(bot, "bob", "migrate plan")
    assert TOKEN in {r.token for r in gitlab.requests}


# -- 3. a name in chat is a GitLab project, never a directory on the bot's disk -----------


async def test_a_bare_name_that_is_a_local_directory_is_still_read_from_gitlab(
    make_bot: MakeBot, gitlab: FakeGitLab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "cwd"
    (work / "secrets").mkdir(parents=True)
    (work / "secrets" / "requirements.txt").write_text("flask\nlocal-file-marker==1\n")
    (work / "secrets" / "app.py").write_text(APP["app.py"])
    monkeypatch.chdir(work)
    bot = await _bot(make_bot, gitlab)
    await say(bot, "mallory", "migrate sample-cron")

    refused = await say(bot, "mallory", "migrate repo secrets")
    assert f"GitLab has no project 'secrets' at {gitlab.url} (404)" in refused
    assert "local-file-marker" not in refused
    assert "local-file-marker" not in await say(bot, "mallory", "migrate plan")
    assert [r.path for r in gitlab.requests] == ["/api/v4/projects/secrets"]


# -- 4. no credentials from a build source in a sentence ----------------------------------


async def test_credentials_in_the_latest_builds_url_never_reach_the_chat(
    make_bot: MakeBot, gitlab: FakeGitLab
) -> None:
    bot = await _bot(make_bot, gitlab)
    await bot.services.toolforge.start_build(
        "sample-cron", "https://oauth2:glpat-SECRETabcdefgh12@gitlab.example.com/x/y"
    )
    started = await say(bot, "mallory", "migrate sample-cron")
    assert f"I only read repositories on {gitlab.url}; https://gitlab.example.com is" in started
    assert "SECRET" not in started and "oauth2" not in started
    assert "Where is the code?" in started  # the conversation goes on


async def test_credentials_on_the_configured_gitlab_are_dropped_not_used(
    make_bot: MakeBot, gitlab: FakeGitLab
) -> None:
    bot = await _bot(make_bot, gitlab)
    host = gitlab.url.removeprefix("http://")
    await bot.services.toolforge.start_build(
        "sample-cron", f"http://oauth2:glpat-SECRETabcdefgh12@{host}/toolforge-repos/gone"
    )
    started = await say(bot, "mallory", "migrate sample-cron")
    assert f"GitLab has no project 'toolforge-repos/gone' at {gitlab.url} (404)" in started
    assert "SECRET" not in started and "oauth2" not in started
    assert {r.token for r in gitlab.requests} == {""}


# -- 5. a confirmation runs only what it described -----------------------------------------


async def test_a_confirmation_is_void_once_the_repository_changes(
    make_bot: MakeBot, sandbox: Sandbox, gitlab: FakeGitLab
) -> None:
    project = gitlab.add_project("toolforge-repos/sample-cron", APP, writers={TOKEN})
    project.files["other"] = dict(APP, **{"extra.py": "print('other')\n"})
    bot = await _bot(make_bot, gitlab)
    await say(bot, "bob", "migrate sample-cron")
    await say(bot, "bob", "migrate repo toolforge-repos/sample-cron")
    await say(bot, "bob", "migrate skip")
    asked = await say(bot, "bob", "migrate go")
    assert asked.startswith("This will start a build of sample-cron")
    await say(bot, "bob", "migrate repo toolforge-repos/sample-cron other")
    stale = await confirm(bot, "bob", asked)
    assert "that confirmation is for an action that is no longer current" in stale
    assert await _builds(bot, "sample-cron") == 0


async def test_a_confirmation_is_void_after_going_back_or_changing_the_grid(
    make_bot: MakeBot, gitlab: FakeGitLab
) -> None:
    project = gitlab.add_project("toolforge-repos/sample-cron", APP, writers={TOKEN})
    bot = await _bot(make_bot, gitlab)
    await say(bot, "bob", "migrate sample-cron")
    await say(bot, "bob", "migrate repo toolforge-repos/sample-cron")
    asked = await say(bot, "bob", "migrate go")
    assert asked.startswith("This will open a merge request")
    await say(bot, "bob", "migrate skip")
    assert "now at 'mr'" in await say(bot, "bob", "migrate back")  # the same step again
    assert "no longer current" in await confirm(bot, "bob", asked)

    asked = await say(bot, "bob", "migrate go")
    await say(bot, "bob", "migrate grid 0 3 * * * jsub -N nightly python nightly.py")
    assert "no longer current" in await confirm(bot, "bob", asked)
    assert project.merge_requests == []


async def test_a_confirmation_is_void_when_the_plan_changed_underneath(
    make_bot: MakeBot, gitlab: FakeGitLab
) -> None:
    """Nothing in the conversation changed, but the repository did: the merge request
    would carry other files than the ones described."""
    project = gitlab.add_project("toolforge-repos/sample-cron", APP, writers={TOKEN})
    bot = await _bot(make_bot, gitlab)
    await say(bot, "bob", "migrate sample-cron")
    await say(bot, "bob", "migrate repo toolforge-repos/sample-cron")
    asked = await say(bot, "bob", "migrate go")
    assert "adding Procfile, jobs.yaml" in asked
    project.files["main"]["Procfile"] = "web: gunicorn app:app\n"
    assert "no longer current" in await confirm(bot, "bob", asked)
    assert project.merge_requests == []
    again = await confirm(bot, "bob", await say(bot, "bob", "migrate go"))
    assert "Merge request !1 opened with" in again
    assert len(project.merge_requests) == 1
