"""envvars: names only, and a value that reaches the envvars API and nothing else.

The value must not appear in any chat output, log record, audit row or
confirmation row: each of those is read back and searched for it.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

import pytest

from bot.core import Bot
from bot.held_secrets import loggable
from bot.toolforge.sandbox import Sandbox
from tests.conftest import HANG_TIMEOUT, MakeBot
from tests.fakes.slack_server import FakeSlack
from tests.fakes.zulip_server import FakeZulip
from tests.test_console_e2e import _console_message, code_in, say
from tests.test_slack_adapter import slack, socket_mode  # noqa: F401 (fixtures)
from tests.test_zulip_adapter import ALICE, _no_proxy, running, zulip  # noqa: F401 (fixtures)

VALUE = "n3w-SECRET-value with spaces --and 'quotes' confirm 1234"


def database_text(path: Path) -> str:
    """Every row of every table of the bot's SQLite database, as text."""
    with sqlite3.connect(path) as db:
        return "\n".join(db.iterdump())


def envvars(sandbox: Sandbox, tool: str) -> dict[str, str]:
    return dict(sandbox.state.tools[tool].envvars)


async def test_names_only_privately_and_for_maintainers(bot: Bot, sandbox: Sandbox) -> None:
    reply = await bot.handle(_console_message("alice", "envvars sample-web"))
    assert reply is not None and reply.private
    out = await say(bot, "alice", "envvars sample-web")
    assert out.splitlines() == [
        "sample-web has 2 envvars (names only; values are never shown):",
        "• TOOL_TOOLSDB_USER",
        "• WEB_DB_PASSWORD",
    ]
    for value in envvars(sandbox, "sample-web").values():
        assert value not in out
    assert "only maintainers of 'sample-web' may see its envvars" in await say(
        bot, "bob", "envvars sample-web"
    )


async def test_a_value_is_set_and_appears_nowhere_else(
    make_bot: MakeBot, sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = tmp_path / "secret.sqlite3"
    bot = await make_bot(database_url=f"sqlite:///{database}")
    said: list[str] = []
    with caplog.at_level(logging.DEBUG):
        said.append(await say(bot, "alice", f"envvars set sample-web NEW_TOKEN {VALUE}"))
        pending = database_text(database)
        said.append(await say(bot, "alice", f"confirm {code_in(said[0])}"))
        said.append(await say(bot, "alice", "envvars sample-web"))
    assert said[0].startswith(
        "This will set the envvar NEW_TOKEN of sample-web to the value you sent."
    )
    assert said[1].startswith("NEW_TOKEN of sample-web is set.")
    assert "• NEW_TOKEN" in said[2]
    assert envvars(sandbox, "sample-web")["NEW_TOKEN"] == VALUE  # exactly as typed
    assert "NEW_TOKEN" in pending, "the confirmation row is there, without the value"
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    for where, text in {
        "chat": "\n".join(said),
        "confirmation table": pending,
        "database afterwards": database_text(database),
        "log": logged,
    }.items():
        assert VALUE not in text and "n3w-SECRET" not in text, f"the value is in the {where}"
    events = await bot.services.store.audit_events(tool="sample-web")
    assert [(e.action, e.target, e.result, e.detail) for e in reversed(events)] == [
        ("envvars set", "NEW_TOKEN", "requested",
         "set the envvar NEW_TOKEN of sample-web to the value you sent"),
        ("envvars set", "NEW_TOKEN", "ok", "set NEW_TOKEN"),
        ("envvars", "", "ok", "listed 3 names"),
    ]  # fmt: skip


async def test_a_value_waits_in_memory_only_so_a_restart_forgets_it(
    make_bot: MakeBot, sandbox: Sandbox, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    first = await make_bot(database_url=url)
    asked = await say(first, "alice", f"envvars set sample-web NEW_TOKEN {VALUE}")
    after_restart = await make_bot(database_url=url)
    out = await say(after_restart, "alice", f"confirm {code_in(asked)}")
    assert "I have no value for NEW_TOKEN" in out and "a restart of mine forgets it" in out
    assert "NEW_TOKEN" not in envvars(sandbox, "sample-web")


async def test_bad_names_missing_values_and_unknown_deletes_are_said_first(bot: Bot) -> None:
    assert "is not an envvar name" in await say(bot, "alice", "envvars set sample-web token x")
    assert "I have no value for NEW_TOKEN" in await say(
        bot, "alice", "envvars set sample-web NEW_TOKEN"
    )
    gone = await say(bot, "alice", "envvars delete sample-web NO_SUCH_NAME")
    assert "has no envvar NO_SUCH_NAME" in gone and "confirm" not in gone


async def test_delete_after_confirming(bot: Bot, sandbox: Sandbox) -> None:
    asked = await say(bot, "alice", "envvars delete sample-web WEB_DB_PASSWORD")
    assert asked.startswith("This will delete the envvar WEB_DB_PASSWORD of sample-web.")
    assert "WEB_DB_PASSWORD" in envvars(sandbox, "sample-web")
    done = await say(bot, "alice", f"confirm {code_in(asked)}")
    assert done == "WEB_DB_PASSWORD of sample-web is deleted."
    assert "WEB_DB_PASSWORD" not in envvars(sandbox, "sample-web")
    assert "web-SECRET" not in done


async def test_a_failed_set_does_not_repeat_the_value(make_bot: MakeBot, sandbox: Sandbox) -> None:
    bot = await make_bot(timeout=HANG_TIMEOUT)
    code = code_in(await say(bot, "alice", f"envvars set sample-web NEW_TOKEN {VALUE}"))
    sandbox.fail_next(status=400, path_prefix="/envvars/v1/tool/sample-web/envvars")
    out = await say(bot, "alice", f"confirm {code}")
    assert out.startswith("error: the envvars service refused the request")
    assert "n3w-SECRET" not in out


async def test_in_a_stream_it_is_refused_and_the_leak_is_said_in_a_dm_it_works(
    zulip: FakeZulip,  # noqa: F811 (the fixture)
    make_bot: MakeBot,
    sandbox: Sandbox,
) -> None:
    bot = await make_bot()
    async with running(zulip, bot):
        for line in (f"envvars set sample-web NEW_TOKEN {VALUE}",
                     "envvars delete sample-web WEB_DB_PASSWORD"):  # fmt: skip
            zulip.inject_stream(ALICE, "toolforge", "ops", f"!tf {line}")
        await zulip.wait_for(lambda: len(zulip.sent) == 2)
        leaked, deleted = zulip.sent
        assert "only in a direct conversation" in leaked.content
        assert "treat it as leaked" in leaked.content
        assert "only in a direct conversation" in deleted.content
        assert "leaked" not in deleted.content
        zulip.inject_dm(ALICE, f"envvars set sample-web NEW_TOKEN {VALUE}")
        await zulip.wait_for(lambda: len(zulip.sent) == 3)
        zulip.inject_dm(ALICE, f"confirm {code_in(zulip.sent[-1].content)}")
        await zulip.wait_for(lambda: len(zulip.sent) == 4)
    assert "NEW_TOKEN of sample-web is set" in zulip.sent[-1].content
    assert envvars(sandbox, "sample-web")["NEW_TOKEN"] == VALUE
    assert "WEB_DB_PASSWORD" in envvars(sandbox, "sample-web")
    for sent in zulip.sent:
        assert "n3w-SECRET" not in sent.content


def test_logs_never_quote_a_command_that_carries_a_secret(bot: Bot) -> None:
    assert "n3w" not in bot._loggable(f"!tf envvars set sample-web NEW_TOKEN {VALUE}")
    assert bot._loggable("status sample-web") == "status sample-web"
    marked = loggable({"tool": "t", "value": VALUE}, frozenset({"value"}))
    assert marked == {"tool": "t", "value": "<withheld>"}


async def test_on_slack_a_dm_sets_it_and_a_channels_slash_command_is_refused(
    slack: FakeSlack,  # noqa: F811 (the fixture)
    make_bot: MakeBot,
    sandbox: Sandbox,
) -> None:
    async with socket_mode(slack, await make_bot()):
        await slack.wait_for(lambda: slack.sockets_opened == 1)
        dm = {"channel": "D0ALICE", "channel_type": "im"}
        await slack.push(
            "slash_commands", slack.slash("U0ALICE", f"envvars set sample-web X_TOKEN {VALUE}")
        )
        await slack.push(
            "events_api",
            slack.event("message", "U0ALICE", f"envvars set sample-web NEW_TOKEN {VALUE}", **dm),
        )
        await slack.wait_for(lambda: len(_said(slack)) == 2)
        refused = next(text for text in _said(slack) if "direct conversation" in text)
        assert "leaked" not in refused, "a slash command's words are not posted to the channel"
        asked = next(text for text in _said(slack) if "This will set" in text)
        confirm = f"confirm {code_in(asked)}"
        await slack.push("events_api", slack.event("message", "U0ALICE", confirm, **dm))
        await slack.wait_for(lambda: any("is set" in text for text in _said(slack)))
    assert envvars(sandbox, "sample-web")["NEW_TOKEN"] == VALUE
    assert "X_TOKEN" not in envvars(sandbox, "sample-web")
    assert not any("n3w-SECRET" in text for text in _said(slack))


def _said(fake: FakeSlack) -> list[str]:
    """Everything the bot sent to Slack: posts, ephemeral posts and slash responses."""
    calls = [c.args for c in fake.posted("chat.postMessage") + fake.posted("chat.postEphemeral")]
    return [json.dumps(c) for c in calls] + [json.dumps(body) for _, body, _ in fake.responses]
