"""Who is speaking and whether they spoke to the bot: names prove nothing, links do."""

from __future__ import annotations

import re

from bot.core import Bot
from bot.message import ChatIdentity, Message
from bot.reply import plain_text
from bot.toolforge.sandbox import Sandbox


def irc(
    account: str | None, nick: str, text: str, *, room: str | None = "#wikimedia-cloud"
) -> Message:
    return Message("irc", ChatIdentity("irc", account, nick), text, room=room, direct=room is None)


async def ask(bot: Bot, message: Message) -> str | None:
    reply = await bot.handle(message)
    return None if reply is None else plain_text(reply)


async def test_chatter_is_ignored_and_addressed_lines_are_answered(bot: Bot) -> None:
    assert await ask(bot, irc(None, "someone", "is toolforge down?")) is None
    assert await ask(bot, irc(None, "someone", "!tfstatus sample-web")) is None
    for line in (
        "!tf status sample-web",
        "forgebot: status sample-web",
        "Forgebot, status sample-web",
    ):
        assert "sample-web" in (await ask(bot, irc(None, "someone", line)) or ""), line
    assert "sample-web" in (
        await ask(bot, irc(None, "someone", "status sample-web", room=None)) or ""
    )
    mentioned = Message(
        "zulip", ChatIdentity("zulip", "7", "Z"), "status sample-web", room="tools", mentioned=True
    )
    assert "sample-web" in (await ask(bot, mentioned) or "")


async def test_a_bare_prefix_shows_help(bot: Bot) -> None:
    assert "Commands" in (await ask(bot, irc(None, "x", "!tf")) or "")


async def test_an_unidentified_nick_is_told_how_to_identify(bot: Bot, sandbox: Sandbox) -> None:
    out = await ask(bot, irc(None, "alice", "!tf restart sample-crashloop"))
    assert out is not None and "identify to NickServ" in out
    assert "confirm" not in out


async def test_an_account_named_like_a_developer_is_not_that_developer(bot: Bot) -> None:
    out = await ask(bot, irc("alice", "alice", "!tf restart sample-crashloop"))
    assert out is not None and "not linked to a Wikimedia developer account" in out
    assert "irc:alice" in out


async def test_a_linked_account_may_act_and_hints_use_the_room_prefix(
    bot: Bot, sandbox: Sandbox
) -> None:
    await bot.services.store.link_add("irc:alice-libera", "alice", created_by="test")
    out = await ask(bot, irc("alice-libera", "al", "!tf restart sample-crashloop"))
    assert out is not None and re.search(r"reply !tf confirm \d{4} within 2 minutes", out)
    in_private = await ask(bot, irc("alice-libera", "al", "restart sample-crashloop", room=None))
    assert in_private is not None and re.search(r"reply confirm \d{4} within", in_private)


async def test_a_verified_email_known_to_the_directory_identifies(bot: Bot) -> None:
    verified = ChatIdentity("zulip", "42", "Alice", email="alice@example.org")
    out = await ask(bot, Message("zulip", verified, "whoami", direct=True))
    assert out is not None and "Developer account: alice" in out
    unverified_irc = ChatIdentity("irc", "somebody", "somebody", email="alice@example.org")
    out = await ask(bot, Message("irc", unverified_irc, "whoami", direct=True))
    assert out is not None and "not linked" in out


async def test_a_refusal_is_audited_with_the_unverified_nick(bot: Bot) -> None:
    await ask(bot, irc(None, "mallory", "!tf logs sample-web"))
    events = await bot.services.store.audit_events(tool="sample-web")
    assert [(e.chat_key, e.result, e.actor_account) for e in events] == [
        ("irc:?mallory", "refused", None)
    ]
