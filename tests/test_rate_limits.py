"""Rate limits: commands per person, and wrong confirmation codes, through the real core."""

from __future__ import annotations

import asyncio
import re

from bot.config import LimitsSettings
from bot.core import Bot
from bot.message import ChatIdentity, Message
from bot.reply import plain_text
from bot.toolforge.sandbox import Sandbox
from tests.conftest import MakeBot


def irc(account: str | None, text: str, nick: str | None = None) -> Message:
    who = ChatIdentity("irc", account, nick or account or "anon")
    return Message("irc", who, text, direct=True)


async def ask(bot: Bot, message: Message) -> str | None:
    reply = await bot.handle(message)
    return None if reply is None else plain_text(reply)


async def test_too_many_commands_get_one_sentence_then_silence(make_bot: MakeBot) -> None:
    bot = await make_bot(limits=LimitsSettings(commands="3/minute"))
    answers = [await ask(bot, irc("carol-libera", "whoami")) for _ in range(6)]
    assert all("On irc you are" in (a or "") for a in answers[:3])
    assert "faster than I answer them" in (answers[3] or "") and answers[4:] == [None, None]
    # someone else is not affected
    assert "On irc you are" in (await ask(bot, irc("dave-libera", "whoami")) or "")
    # chatter that is not for the bot is never counted, nor refused
    assert await ask(bot, Message("irc", ChatIdentity("irc", "x", "x"), "hello", room="#c")) is None


async def test_people_not_identified_share_a_smaller_allowance(make_bot: MakeBot) -> None:
    bot = await make_bot(
        limits=LimitsSettings(unidentified_commands="2/minute", unidentified_total="3/minute")
    )
    first = [await ask(bot, irc(None, "whoami", nick="mal1")) for _ in range(3)]
    assert "not identified" in (first[1] or "") and "faster" in (first[2] or "")
    # a new nick gets its own two, but all of them together only three
    assert "not identified" in (await ask(bot, irc(None, "whoami", nick="mal2")) or "")
    assert "faster" in (await ask(bot, irc(None, "whoami", nick="mal3")) or "")
    assert "On irc you are" in (await ask(bot, irc("alice-libera", "whoami")) or "")


async def test_wrong_codes_lock_confirm_even_for_the_right_code(
    make_bot: MakeBot, sandbox: Sandbox
) -> None:
    bot = await make_bot(limits=LimitsSettings(wrong_codes="3 per 10 minutes"))
    await bot.services.store.link_add("irc:alice-libera", "alice", created_by="test")
    asked = await ask(bot, irc("alice-libera", "restart sample-crashloop"))
    code = re.search(r"confirm (\d{4})", asked or "")
    assert code
    wrong = [c for c in ("0000", "0001", "0002", "0003") if c != code.group(1)][:3]
    replies = [await ask(bot, irc("alice-libera", f"confirm {c}")) for c in wrong]
    assert "no pending action" in (replies[0] or "") and "locked" not in (replies[0] or "")
    assert "confirm is locked for you for 10 minutes" in (replies[2] or "")
    locked = await ask(bot, irc("alice-libera", f"confirm {code.group(1)}"))
    assert "confirm is locked for you" in (locked or "")
    assert sandbox.restart_count("sample-crashloop", "irc-bot") == 0
    results = [e.result for e in await bot.services.store.audit_events() if e.action == "confirm"]
    assert sorted(results) == ["locked", "wrong code", "wrong code", "wrong code"]
    # others are not locked out
    await bot.services.store.link_add("irc:bob-libera", "bob", created_by="test")
    assert "locked" not in (await ask(bot, irc("bob-libera", "confirm 1234")) or "")


async def test_the_lock_opens_when_the_window_has_passed(make_bot: MakeBot) -> None:
    bot = await make_bot(limits=LimitsSettings(wrong_codes="2 per 2 seconds"))
    for code in ("0000", "0001"):
        await ask(bot, irc("carol-libera", f"confirm {code}"))
    assert "locked" in (await ask(bot, irc("carol-libera", "confirm 0002")) or "")
    await asyncio.sleep(2.5)  # a lower bound: the window is 2 s
    assert "locked" not in (await ask(bot, irc("carol-libera", "confirm 0003")) or "")


async def test_help_says_the_limits(bot: Bot) -> None:
    out = await ask(bot, irc("carol-libera", "help")) or ""
    assert "Limits: 20 commands a minute for each person" in out
    assert "after 5 wrong confirmation codes in 10 minutes, confirm is locked" in out
