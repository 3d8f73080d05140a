"""One test per rule of bot/identity.py: from a chat identity to a developer account.

Each rule is a line that, deleted, would let a name or an unproven email
stand for an account; ``make deletions`` deletes each in turn and checks
that one of these tests fails. The directory's own outage is in
tests/ldap/test_outage.py (a real slapd stopped under the bot).
"""

from __future__ import annotations

import pytest

from bot.config import LdapSettings
from bot.core import Bot
from bot.identity import HOW, is_admin, resolve_identity
from bot.message import ChatIdentity
from tests.conftest import MakeBot
from tests.test_run_command import free_port


@pytest.fixture
async def linked(bot: Bot) -> Bot:
    store = bot.services.store
    await store.link_add("irc:alice-libera", "alice", created_by="test", method="login")
    await store.link_add("slack:T0HOME:U0DAVE", "dave", created_by="test", method="admin")
    return bot


async def account(bot: Bot, who: ChatIdentity) -> tuple[str | None, str | None]:
    resolved = await resolve_identity(who, bot.services)
    assert resolved.problem is None
    return resolved.account, resolved.how


async def test_an_unverified_sender_has_no_account_whatever_it_claims(linked: Bot) -> None:
    # Its key is "irc:", never a linked one; its email is not believed either.
    for platform in ("irc", "zulip", "slack", "console"):
        who = ChatIdentity(platform, None, "alice-libera", email="alice@example.org")
        assert await account(linked, who) == (None, None), platform


async def test_the_console_operator_is_the_account_they_named(linked: Bot) -> None:
    assert await account(linked, ChatIdentity("console", "carol", "carol")) == ("carol", "console")
    assert HOW["console"] == "the operator of this console"


async def test_only_the_console_is_taken_at_its_word(linked: Bot) -> None:
    # The same verified id on a chat platform is an account name only through a link.
    for platform in ("irc", "zulip", "slack"):
        assert await account(linked, ChatIdentity(platform, "carol", "carol")) == (None, None)


async def test_a_link_names_the_account_and_how_it_was_made(linked: Bot) -> None:
    irc = ChatIdentity("irc", "Alice-Libera", "al")  # services accounts are case-folded
    assert await account(linked, irc) == ("alice", "login")
    slack = ChatIdentity("slack", "T0HOME:U0DAVE", "dave")
    assert await account(linked, slack) == ("dave", "admin")


async def test_a_link_wins_over_a_verified_email(linked: Bot) -> None:
    who = ChatIdentity("slack", "T0HOME:U0DAVE", "dave", email="bob@example.org")
    assert await account(linked, who) == ("dave", "admin")


@pytest.mark.parametrize("platform", ["zulip", "slack"])
async def test_a_verified_email_the_directory_knows_is_the_account(
    linked: Bot, platform: str
) -> None:
    who = ChatIdentity(platform, "77", "Bob", email="BOB@example.org")
    assert await account(linked, who) == ("bob", "email")
    stranger = ChatIdentity(platform, "78", "Eve", email="eve@example.net")
    assert await account(linked, stranger) == (None, None)


@pytest.mark.parametrize("platform", ["irc", "console-like"])
async def test_an_email_from_a_platform_that_does_not_verify_it_proves_nothing(
    linked: Bot, platform: str
) -> None:
    who = ChatIdentity(platform, "bob-irc", "bob", email="bob@example.org")
    assert await account(linked, who) == (None, None)


async def test_admins_are_the_configured_accounts(linked: Bot) -> None:
    services = linked.services
    assert services.config.bot.admins == ("root-sre",)
    assert await is_admin("root-sre", services) == (True, None)
    assert await is_admin("alice", services) == (False, None)
    assert await is_admin(None, services) == (False, None)


async def test_when_the_directory_is_down_no_one_is_an_admin_by_it(make_bot: MakeBot) -> None:
    # A directory nobody answers for (the admins of a configured list need no directory).
    down = LdapSettings(uris=(f"ldap://127.0.0.1:{free_port()}",), timeout=1)
    bot = await make_bot(ldap=down)
    admin, problem = await is_admin("alice", bot.services)
    assert admin is False and problem  # the directory's own sentence, said to the user
    assert await is_admin("root-sre", bot.services) == (True, None)
    resolved = await resolve_identity(
        ChatIdentity("zulip", "12", "Bob", email="bob@example.org"), bot.services
    )
    assert (resolved.account, resolved.how, resolved.problem) == (None, None, problem)
