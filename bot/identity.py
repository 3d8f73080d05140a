"""From a chat identity to a Wikimedia developer account.

A name proves nothing: an IRC nick, a Libera account or a Slack display name
equal to a developer account name never implies that account. Only an
explicit identity link, a platform-verified email that the directory knows,
or the local console (whose operator already controls the bot) do.
"""

from __future__ import annotations

from bot.message import ChatIdentity
from bot.services import Services

# Platforms whose users are the operator of this process.
LOCAL_PLATFORMS = frozenset({"console"})
# Platforms that verify the email they hand us.
EMAIL_VERIFIED_PLATFORMS = frozenset({"zulip", "slack"})


async def resolve_account(sender: ChatIdentity, services: Services) -> str | None:
    if not sender.verified:
        return None
    if sender.platform in LOCAL_PLATFORMS:
        return sender.user_id
    linked = await services.store.account_for(sender.key())
    if linked is not None:
        return linked
    if sender.email and sender.platform in EMAIL_VERIFIED_PLATFORMS:
        return await services.directory.account_for_email(sender.email)
    return None
