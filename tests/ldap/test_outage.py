"""What people see when the developer LDAP cannot be reached: a clear sentence, an audit
row, nothing done, and the public commands still answering."""

from __future__ import annotations

from bot.config import LdapSettings
from bot.core import Bot
from bot.message import ChatIdentity, Message
from bot.reply import plain_text
from tests.conftest import MakeBot
from tests.test_run_command import free_port

DOWN = "I cannot check maintainers right now"


async def say(bot: Bot, sender: ChatIdentity, text: str) -> tuple[bool, str]:
    reply = await bot.handle(Message(sender.platform, sender, text, direct=True))
    assert reply is not None
    return reply.is_error, plain_text(reply)


async def test_an_ldap_outage_refuses_clearly_audits_and_keeps_public_commands(
    make_bot: MakeBot,
) -> None:
    bot = await make_bot(ldap=LdapSettings(uris=(f"ldap://127.0.0.1:{free_port()}",), timeout=1))
    alice = ChatIdentity("irc", "alice-libera", "alice")
    await bot.services.store.link_add("irc:alice-libera", "alice", "test")

    error, said = await say(bot, alice, "restart sample-web")
    assert error and said.startswith(DOWN) and "nothing was done" in said
    error, said = await say(bot, alice, "restart no-such-tool")
    assert error and said.startswith(DOWN), "never 'no such tool' when LDAP cannot say"
    error, said = await say(bot, alice, "status sample-web")
    assert not error and "sample-web" in said
    error, said = await say(bot, alice, "whoami")
    assert "Developer account: alice" in said and DOWN in said
    # Admins from the directory cannot be known either: an admin command says why.
    error, said = await say(bot, alice, "link add irc:bob-irc bob")
    assert error and said.startswith(DOWN)
    # A Zulip user known only by a verified email: unknown, not "not linked".
    zulip = ChatIdentity("zulip", "12", "Bob", email="bob@example.org")
    error, said = await say(bot, zulip, "restart sample-cron")
    assert error and said.startswith(DOWN)

    events = await bot.services.store.audit_events()
    assert {(e.action, e.result) for e in events} == {("restart", "failed"), ("link.add", "failed")}
    assert all(e.detail.startswith(DOWN) for e in events)
