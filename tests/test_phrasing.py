"""Plain-words questions read as the command they mean: a table, then the core."""

from __future__ import annotations

import pytest

from bot.core import Bot
from bot.phrasing import read
from tests.test_console_e2e import say

# (message, the command line it means, or None: not understood; "my tool" -> <mine>)
TABLE = [
    ("why is mytool down?", "diagnose mytool"),
    ("Why is mytool down", "diagnose mytool"),
    ("why is mytool not working", "diagnose mytool"),
    ("why does mytool keep crashing?", "diagnose mytool"),
    ("why is mytool giving a 502?", "diagnose mytool"),
    ("hi, why is https://mytool.toolforge.org/api broken?", "diagnose mytool"),
    ("is mytool broken", "diagnose mytool"),
    ("is mytool down?", "diagnose mytool"),
    ("is mytool.toolforge.org up?", "diagnose mytool"),
    ("mytool 502", "diagnose mytool"),
    ("mytool gives 503", "diagnose mytool"),
    ("mytool returns a bad gateway error", "diagnose mytool"),
    ("502 on mytool", "diagnose mytool"),
    ("mytool is down", "diagnose mytool"),
    ("mytool keeps restarting", "diagnose mytool"),
    ("mytool was killed", "diagnose mytool"),
    ("mytool got oomkilled", "diagnose mytool"),
    ("what's wrong with mytool?", "diagnose mytool"),
    ("what happened to mytool", "diagnose mytool"),
    ("can you check mytool?", "diagnose mytool"),
    ("is my tool broken?", "diagnose <mine>"),
    ("who maintains mytool?", "maintainers mytool"),
    ("who do I ask about mytool", "maintainers mytool"),
    ("maintainers of mytool", "maintainers mytool"),
    ("show me the logs of mytool", "logs mytool"),
    ("restart my tool", "restart <mine>"),
    ("please restart mytool", "restart mytool"),
    ("can you restart mytool web?", "restart mytool web"),
    # not ours: left to "unknown command"
    ("why is it down?", None),
    ("hello there", None),
    ("stauts mytool", None),
    # about Toolforge itself, not a tool: the news
    ("is it me or is it toolforge?", "news"),
    ("is toolforge having problems", "news"),
    ("is toolforge ok?", "news"),
]


@pytest.mark.parametrize(("message", "meant"), TABLE)
def test_the_table(message: str, meant: str | None) -> None:
    reading = read(message)
    if meant is None:
        assert reading is None
        return
    assert reading is not None, message
    assert reading.line("<mine>" if reading.tool is None else reading.tool) == meant
    assert reading.changes_things == meant.startswith("restart")


async def test_a_question_is_answered_with_what_it_was_read_as(bot: Bot) -> None:
    out = await say(bot, "alice", "why is sample-webdown down?")
    assert out.startswith("I read this as 'diagnose sample-webdown'.\nDiagnosis of sample-webdown")


async def test_an_action_is_never_done_on_a_guess(bot: Bot, sandbox) -> None:  # type: ignore[no-untyped-def]
    out = await say(bot, "alice", "please restart sample-crashloop")
    assert "I read this as 'restart sample-crashloop'. That changes something" in out
    assert "type restart sample-crashloop and I will ask you to confirm" in out
    assert "confirm " not in out.split("ask you")[0] and sandbox.restart_count(
        "sample-crashloop", "irc-bot") == 0
    assert await bot.services.store.audit_events(tool="sample-crashloop") == []


async def test_my_tool_is_the_speakers_only_tool_or_a_question(bot: Bot) -> None:
    assert "I read this as 'diagnose sample-webdown'" not in await say(
        bot, "carol", "is my tool broken?"
    )
    mine = "sample-badgateway, sample-brokenbuild, sample-classic, sample-web"
    assert f"Which tool (yours: {mine})?" in await say(bot, "carol", "is my tool broken?")
    assert "Which tool? Say diagnose <tool>" in await say(bot, "root-sre", "is my tool down")


async def test_my_tool_when_there_is_exactly_one(bot: Bot) -> None:
    directory = bot.services.directory

    class OneTool(type(directory)):  # type: ignore[misc]
        async def tools_of(self, account: str) -> list[str]:
            return ["sample-oom"] if account == "root-sre" else await super().tools_of(account)

    one = OneTool.__new__(OneTool)
    one.__dict__.update(directory.__dict__)
    bot.services.directory = one
    out = await say(bot, "root-sre", "why is my tool down?")
    assert out.startswith("I read this as 'diagnose sample-oom'.")
    acts = await say(bot, "root-sre", "restart my tool")
    assert "I read this as 'restart sample-oom'. That changes something" in acts


async def test_a_typo_is_still_an_unknown_command(bot: Bot) -> None:
    typo = await say(bot, "bob", "stauts sample-web")
    assert "unknown command 'stauts'; did you mean status?" in typo
