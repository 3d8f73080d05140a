"""The bot on the LDAP directory: admins from tools.admin, links checked against LDAP."""

from __future__ import annotations

from bot.config import BotSettings
from bot.message import ChatIdentity, Message
from bot.reply import plain_text
from tests.conftest import MakeBot
from tests.ldap.conftest import ldap_settings
from tests.ldap.server import SlapdServer


async def test_tools_admin_members_administer_and_links_are_checked_in_ldap(
    make_bot: MakeBot, slapd: SlapdServer
) -> None:
    bot = await make_bot(ldap=ldap_settings(slapd), bot=BotSettings(admins=()))
    store = bot.services.store
    await store.link_add("irc:root", "root-sre", "test")  # in tools.admin only
    await store.link_add("irc:mallory", "mallory", "test")  # in tools.admin, but locked

    async def say(account: str, text: str) -> tuple[bool, str]:
        sender = ChatIdentity("irc", account, account)
        reply = await bot.handle(Message("irc", sender, text, direct=True))
        assert reply is not None
        return reply.is_error, plain_text(reply)

    assert await say("root", "link add irc:bob-irc bob") == (
        False, "Linked irc:bob-irc to the developer account bob.",
    )  # fmt: skip
    error, said = await say("mallory", "link add irc:eve bob")
    assert error and "only forgebot admins may use link add" in said
    error, said = await say("root", "link add irc:eve mallory")
    assert error and "mallory is disabled and cannot be linked" in said
    error, said = await say("root", "link add irc:eve nobody-at-all")
    assert error and "there is no developer account 'nobody-at-all'" in said
    error, said = await say("root", "whoami")
    assert "You are a forgebot admin." in said
    error, said = await say("bob-irc", "restart orphan")
    assert error and "'orphan' has no active maintainers" in said
