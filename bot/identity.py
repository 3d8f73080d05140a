"""From a chat identity to a Wikimedia developer account, and how that was established.

A name proves nothing: an IRC nick, a Libera account or a Slack display name
equal to a developer account name never implies that account. Only an
explicit identity link (made by the person's own login, or by an admin), a
platform-verified email that the directory knows, or the local console
(whose operator already controls the bot) do.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import DirectoryUnavailable
from bot.message import ChatIdentity
from bot.services import Services

# Platforms whose users are the operator of this process.
LOCAL_PLATFORMS = frozenset({"console"})
# Platforms that verify the email they hand us.
EMAIL_VERIFIED_PLATFORMS = frozenset({"zulip", "slack"})

# How an identity became an account, in words (whoami says them).
HOW = {
    "login": "linked by your own login with the developer account",
    "admin": "linked by a forgebot admin",
    "email": "matched by the email address the chat service verified",
    "console": "the operator of this console",
}


@dataclass(frozen=True, slots=True)
class Resolved:
    """Who the speaker is: an account and how it was established, or why it is unknown.

    ``problem`` is set when the directory could not be asked (LDAP down), so
    that a command needing an account says so instead of "not linked".
    """

    account: str | None
    how: str | None = None
    problem: str | None = None


async def resolve_identity(sender: ChatIdentity, services: Services) -> Resolved:
    if not sender.verified:
        return Resolved(None)
    if sender.platform in LOCAL_PLATFORMS:
        return Resolved(sender.user_id, "console")
    link = await services.store.link_get(sender.key())
    if link is not None:
        return Resolved(link.account, link.method)
    if sender.email and sender.platform in EMAIL_VERIFIED_PLATFORMS:
        try:
            account = await services.directory.account_for_email(sender.email)
        except DirectoryUnavailable as error:
            return Resolved(None, problem=error.sentence)
        return Resolved(account, "email" if account else None)
    return Resolved(None)


async def is_admin(account: str | None, services: Services) -> tuple[bool, str | None]:
    """Whether ``account`` is a forgebot admin (configured, or by the directory's admin
    group), and the directory's problem when it could not say."""
    if account is None:
        return False, None
    if account in services.config.bot.admins:
        return True, None
    try:
        return account in await services.directory.admins(), None
    except DirectoryUnavailable as error:
        return False, error.sentence
