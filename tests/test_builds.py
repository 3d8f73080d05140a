"""build status | list | logs | start | cancel, end to end on the console and Zulip, with faults."""

from __future__ import annotations

import pytest

from bot.core import Bot
from bot.toolforge.sandbox import Sandbox
from tests.conftest import ENVVARS_FAULTS, HANG_TIMEOUT, MakeBot, break_envvars
from tests.fakes.zulip_server import FakeZulip
from tests.test_console_e2e import _console_message, code_in, say
from tests.test_zulip_adapter import ALICE, BOB, _no_proxy, running, zulip  # noqa: F401 (fixtures)

PIPELINE = "-buildpacks-pipelinerun-"


def build_ids(sandbox: Sandbox, tool: str) -> list[str]:
    return [b.build_id for b in sandbox.state.tools[tool].builds]


async def test_anyone_sees_a_tools_builds(bot: Bot) -> None:
    listed = await say(bot, "bob", "build list sample-brokenbuild")
    assert "BUILD  STATE          STARTED               TOOK   REF" in listed
    assert "q9w3e  [build error]  2026-11-23 14:20 UTC  1m42s  main" in listed
    assert "x7k2q  [build ok]     2026-11-01 08:00 UTC  3m12s  v1.4" in listed
    latest = await say(bot, "bob", "build status sample-brokenbuild")
    assert latest.startswith("sample-brokenbuild build q9w3e: [build error]")
    assert "Its log: build logs sample-brokenbuild q9w3e" in latest
    # a short id, or the full one, names an older build
    full = f"sample-brokenbuild{PIPELINE}x7k2q"
    older = await say(bot, "bob", f"build status sample-brokenbuild {full}")
    assert older.startswith("sample-brokenbuild build x7k2q: [build ok]")
    assert "from https://gitlab.wikimedia.org/toolforge-repos/sample-brokenbuild at v1.4" in older
    assert "image: tools-harbor.wmcloud.org/tool-sample-brokenbuild/" in older
    assert await bot.services.store.audit_events() == [], "reading is not an action"


async def test_a_build_that_does_not_exist_or_belongs_to_another_tool(bot: Bot) -> None:
    assert "not found" in await say(bot, "bob", "build status sample-web zzzzz")
    other = await say(bot, "bob", f"build status sample-web sample-cron{PIPELINE}abcde")
    assert other.startswith("error:") and "sample-web" in other
    assert "has no builds yet" in await say(bot, "bob", "build status sample-empty")


async def test_build_logs_are_private_redacted_and_for_maintainers(
    bot: Bot, sandbox: Sandbox
) -> None:
    reply = await bot.handle(_console_message("alice", "build logs sample-web --lines 3"))
    assert reply is not None and reply.private
    out = await say(bot, "alice", "build logs sample-web")
    assert "log lines of build k3m9p of sample-web (ok)" in out
    assert "https://[REDACTED]@pypi.example.org/simple" in out
    assert "collectstatic: connected with [REDACTED]" in out  # an envvar's value
    assert "SECRET" not in out
    tail = await say(bot, "alice", "build logs sample-web --lines 1")
    assert "Last 1 of 7 log lines" in tail and "Saving tools-harbor" in tail
    assert "capped" not in out
    capped = await say(bot, "alice", "build logs sample-web --lines 500")
    assert "Last 7 of 7 log lines of build k3m9p of sample-web (ok) (capped at 200):" in capped
    refused = await say(bot, "bob", "build logs sample-web")
    assert "only maintainers of 'sample-web' may read its build logs" in refused
    events = await bot.services.store.audit_events(tool="sample-web")
    assert [(e.action, e.actor_account, e.result) for e in events][:1] == [
        ("build logs", "bob", "refused")
    ]
    assert {e.action for e in events} == {"build logs"}


async def test_a_maintainer_rebuilds_after_confirming(bot: Bot, sandbox: Sandbox) -> None:
    before = build_ids(sandbox, "sample-web")
    asked = await say(bot, "alice", "build start sample-web")
    assert asked.startswith(
        "This will start a build of sample-web from "
        "https://gitlab.wikimedia.org/toolforge-repos/sample-web at main."
    )
    assert build_ids(sandbox, "sample-web") == before, "nothing starts before confirming"
    done = await say(bot, "alice", f"confirm {code_in(asked)}")
    [new] = [b for b in build_ids(sandbox, "sample-web") if b not in before]
    short = new.rpartition(PIPELINE)[2]
    assert done.startswith(f"Started build {short} of sample-web from ")
    assert f"build status sample-web {short}" in done
    pending = await say(bot, "bob", f"build status sample-web {short}")
    assert "[build pending]" in pending
    assert "pending: it has not started, so it has no log yet" in await say(
        bot, "alice", f"build logs sample-web {short}"
    )
    sandbox.advance_builds(1)
    assert "[build running]" in await say(bot, "bob", f"build status sample-web {short}")
    assert "log lines of build" in await say(bot, "alice", f"build logs sample-web {short}")
    sandbox.advance_builds(5)
    assert "[build ok]" in await say(bot, "bob", f"build status sample-web {short}")
    events = await bot.services.store.audit_events(tool="sample-web")
    assert [(e.action, e.result) for e in reversed(events)] == [
        ("build start", "requested"),
        ("build start", "ok"),
        ("build logs", "ok"),
        ("build logs", "ok"),
    ]
    assert events[2].detail.startswith(f"started {new} from https://gitlab")


async def test_a_first_build_names_its_repository(bot: Bot, sandbox: Sandbox) -> None:
    needs = await say(bot, "bob", "build start sample-empty")
    assert "only maintainers of 'sample-empty'" in needs
    none = await say(bot, "dave", "build start sample-empty")
    assert "no earlier build to take the repository from" in none
    assert "build start sample-empty --repo <public git URL> [ref]" in none
    bad = await say(bot, "dave", "build start sample-empty --repo git@example.org:x.git")
    assert "is not an https:// URL" in bad
    url = "https://gitlab.wikimedia.org/toolforge-repos/sample-web"
    asked = await say(bot, "dave", f"build start sample-empty v2 --repo {url}")
    assert f"from {url} at v2." in asked


async def test_cancel_asks_then_cancels_the_build_that_is_going(bot: Bot, sandbox: Sandbox) -> None:
    assert "nothing to cancel" in await say(bot, "alice", "build cancel sample-web")
    finished = await say(bot, "alice", "build cancel sample-web k3m9p")
    assert "has already finished (ok)" in finished and "confirm" not in finished
    await say(bot, "alice", f"confirm {code_in(await say(bot, 'alice', 'build start sample-web'))}")
    asked = await say(bot, "alice", "build cancel sample-web")
    assert asked.startswith("This will cancel build ")
    sandbox.advance_builds(1)  # pending -> running while the code waits: it still holds
    assert "only maintainers" in await say(bot, "bob", "build cancel sample-web")
    done = await say(bot, "alice", f"confirm {code_in(asked)}")
    assert "[build cancelled]" in done
    assert sandbox.state.tools["sample-web"].builds[0].status == "BUILD_CANCELLED"
    events = await bot.services.store.audit_events(tool="sample-web")
    actions = [(e.action, e.result) for e in events]
    assert actions[:2] == [("build cancel", "ok"), ("build cancel", "refused")]


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        ("500", "answered HTTP 500 to a request that changes something; it may or may not"),
        ("timeout", f"the builds service did not answer within {HANG_TIMEOUT:g} s"),
        ("409", "the builds service refused the request"),
    ],
)
async def test_builds_api_faults_are_sentences(
    make_bot: MakeBot, sandbox: Sandbox, fault: str, words: str
) -> None:
    bot = await make_bot(timeout=HANG_TIMEOUT)
    prefix = "/builds/v1/tool/sample-web/builds"
    # repository and ref given: the fault meets the POST, not a read of the latest build
    url = "https://gitlab.wikimedia.org/toolforge-repos/sample-web"
    code = code_in(await say(bot, "alice", f"build start sample-web main --repo {url}"))
    if fault == "timeout":
        sandbox.hang_next(count=1, path_prefix=prefix)
    else:
        sandbox.fail_next(status=int(fault), count=1, path_prefix=prefix)
    out = await say(bot, "alice", f"confirm {code}")
    assert out.startswith("error:") and words in out, out
    sandbox.fail_next(status=500, count=1, path_prefix=prefix)
    listed = await say(bot, "bob", "build list sample-web")
    assert "error:" in listed and "the builds of sample-web were not read" in listed
    assert "k3m9p" in await say(bot, "bob", "build list sample-web"), "the bot keeps going"


async def test_build_start_and_status_on_zulip(
    zulip: FakeZulip,  # noqa: F811 (the fixture)
    make_bot: MakeBot,
    sandbox: Sandbox,
) -> None:
    bot = await make_bot()
    before = build_ids(sandbox, "sample-web")
    async with running(zulip, bot):
        mention = zulip.mention_bot()
        zulip.inject_stream(BOB, "toolforge", "ops", f"{mention} build status sample-web")
        await zulip.wait_for(lambda: len(zulip.sent) == 1)
        assert "**sample-web build k3m9p**" in zulip.sent[0].content
        zulip.inject_dm(ALICE, "build start sample-web")
        await zulip.wait_for(lambda: len(zulip.sent) == 2)
        zulip.inject_dm(ALICE, f"confirm {code_in(zulip.sent[-1].content)}")
        await zulip.wait_for(lambda: len(zulip.sent) == 3)
    assert zulip.sent[-1].type == "private" and "Started build" in zulip.sent[-1].content
    assert len(build_ids(sandbox, "sample-web")) == len(before) + 1


@pytest.mark.parametrize("fault", sorted(ENVVARS_FAULTS))
async def test_build_logs_show_nothing_when_the_secrets_to_hide_are_unreadable(
    make_bot: MakeBot, sandbox: Sandbox, fault: str
) -> None:
    bot = await make_bot(timeout=HANG_TIMEOUT)
    break_envvars(sandbox, "sample-web", fault)
    out = await say(bot, "alice", "build logs sample-web")
    assert out.startswith("error: I showed no log lines of build k3m9p of sample-web")
    assert ENVVARS_FAULTS[fault] in out
    assert "pypi.example.org" not in out and "SECRET" not in out
