"""Every attempt leaves an audit row, and an action is never done without its intent row.

Through the console adapter, the real core and the sandbox; database faults are
real ones (SQLite triggers that refuse a write), not patched functions.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import text

from adapters.console import ConsoleAdapter
from bot.core import Bot
from bot.store import Store
from bot.toolforge.sandbox import Sandbox
from tests.conftest import MakeBot
from tests.db_urls import backend_params, fresh_database


async def say(bot: Bot, account: str, line: str, operator: str = "ops-person") -> str:
    adapter = ConsoleAdapter(
        bot, account, stdin=io.StringIO(), stdout=io.StringIO(), colour=False, operator=operator
    )
    return "\n".join(await adapter.handle_line(line))


def code_in(reply: str) -> str:
    found = re.search(r"confirm (\d{4})", reply)
    assert found, reply
    return found.group(1)


async def rows(store: Store, tool: str = "sample-crashloop") -> list[tuple[str, str, str]]:
    events = await store.audit_events(tool=tool)
    return [(e.action, e.actor_account or "-", e.result) for e in reversed(events)]


def refuse_writes(store: Store, sql_when: str) -> None:
    """A real database fault: SQLite refuses the audit writes ``sql_when`` describes."""
    with store.engine.begin() as connection:
        connection.execute(text(f"CREATE TRIGGER refuse {sql_when} BEGIN SELECT RAISE(ABORT, "
                                "'disk I/O error'); END"))  # fmt: skip


@pytest.mark.parametrize("backend", backend_params())
async def test_every_kind_of_attempt_has_its_row_on_every_database(
    make_bot: MakeBot, sandbox: Sandbox, backend: str, tmp_path: Path
) -> None:
    with fresh_database(backend, tmp_path) as url:
        bot = await make_bot(database_url=url)
        await _every_kind_of_attempt(bot)
        await bot.services.store.close()


async def _every_kind_of_attempt(bot: Bot) -> None:
    store = bot.services.store
    await say(bot, "bob", "restart sample-crashloop")  # not a maintainer
    await say(bot, "alice", "restart sample-crashloop nosuchjob")  # no such job
    asked = await say(bot, "alice", "restart sample-crashloop")  # a code is issued
    await say(bot, "alice", "confirm 0000" if code_in(asked) != "0000" else "confirm 0001")
    await say(bot, "alice", f"confirm {code_in(asked)}")  # done, but it crashes again
    assert await rows(store) == [
        ("restart", "bob", "refused"),
        ("restart", "alice", "invalid"),
        ("restart", "alice", "requested"),
        ("restart", "alice", "failed"),  # restarted, and crash-looping again
    ]
    [wrong] = [e for e in await store.audit_events() if e.action == "confirm"]
    assert (wrong.actor_account, wrong.result) == ("alice", "wrong code")
    assert wrong.detail.startswith("code '000")


async def test_a_5xx_after_the_request_is_an_unknown_outcome(
    bot: Bot, sandbox: Sandbox
) -> None:
    code = code_in(await say(bot, "alice", "restart sample-crashloop irc-bot"))
    sandbox.fail_next(status=502, path_prefix="/jobs/v1/tool/sample-crashloop/jobs/irc-bot/restart")
    out = await say(bot, "alice", f"confirm {code}")
    assert "[may have restarted]" in out and "0 restarted, 1 unknown" in out
    assert "check with status sample-crashloop" in out
    assert "nothing was restarted" not in out
    assert (await rows(bot.services.store))[-1] == ("restart", "alice", "unknown")


async def test_a_restart_that_happened_keeps_its_row_when_the_outcome_cannot_be_written(
    bot: Bot, sandbox: Sandbox
) -> None:
    store = bot.services.store
    code = code_in(await say(bot, "alice", "restart sample-crashloop irc-bot"))
    refuse_writes(store, "BEFORE UPDATE ON audit_event")
    out = await say(bot, "alice", f"confirm {code}")
    assert "1 restarted" in out, "the user is told what happened, not 'something went wrong'"
    assert sandbox.restart_count("sample-crashloop", "irc-bot") == 1
    assert (await rows(store))[-1] == ("restart", "alice", "started")


async def test_nothing_is_done_when_the_intent_cannot_be_written(
    bot: Bot, sandbox: Sandbox
) -> None:
    store = bot.services.store
    code = code_in(await say(bot, "alice", "restart sample-crashloop irc-bot"))
    refuse_writes(store, "BEFORE INSERT ON audit_event WHEN NEW.result = 'started'")
    out = await say(bot, "alice", f"confirm {code}")
    assert out == (
        "error: I cannot write to my audit log right now, so I did not do it; try again later"
    )
    assert sandbox.restart_count("sample-crashloop", "irc-bot") == 0


async def test_console_actions_name_the_operator_behind_the_account(bot: Bot) -> None:
    code = code_in(await say(bot, "alice", "restart sample-crashloop", operator="root"))
    await say(bot, "alice", f"confirm {code}", operator="root")
    events = await bot.services.store.audit_events(tool="sample-crashloop")
    assert {(e.actor_account, e.chat_key) for e in events} == {("alice", "console:root")}


async def test_a_long_name_is_refused_and_recorded(bot: Bot) -> None:
    name = "t" * 300
    out = await say(bot, "alice", f"restart {name}")
    assert "is not a Toolforge tool name" in out
    [event] = await bot.services.store.audit_events(tool=name[:254] + "…")
    assert event.result == "refused"


async def test_names_ending_in_a_newline_are_not_names(make_bot: MakeBot) -> None:
    from bot.message import ChatIdentity, Message

    bot = await make_bot()
    alice = ChatIdentity("console", "alice", "alice")
    refusals = {
        'status "sample-web\n"': "'sample-web' is not a Toolforge tool name",
        'status sample-web "webservice\n"': "'webservice\\n' is not a valid job name",
        'restart sample-crashloop "irc-bot\n"': "sample-crashloop has no job 'irc-bot'",
        'logs "sample-web\n"': "'sample-web' is not a Toolforge tool name",
    }
    for line, refusal in refusals.items():
        reply = await bot.handle(Message("console", alice, line, direct=True))
        assert reply is not None and reply.is_error, line
        assert reply.summary.startswith(refusal), (line, reply.summary)
