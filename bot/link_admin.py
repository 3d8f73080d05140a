"""Links made by an admin (in chat or with ``forgebot link add``): checked the same way.

The chat identity must look like one of its platform, the developer account
must exist in the directory and be enabled, and an existing link to another
account is only replaced when asked (``--replace``).
"""

from __future__ import annotations

from bot.chat_keys import chat_key_problem, normalise_chat_key
from bot.directory import ACCOUNT_NAME
from bot.errors import UsageError
from bot.services import Services
from bot.store import IdentityLink, LinkConflict


async def checked_account(services: Services, account: str) -> str:
    """``account`` if it is an enabled developer account; a sentence otherwise."""
    if not ACCOUNT_NAME.match(account):
        raise UsageError(f"{account!r} is not a developer account (shell) name")
    found = await services.directory.account(account)
    if found is None:
        raise UsageError(f"there is no developer account {account!r} in the directory")
    if found.disabled:
        raise UsageError(f"the developer account {account} is disabled and cannot be linked")
    return found.name


def checked_chat_key(chat_key: str) -> str:
    problem = chat_key_problem(chat_key)
    if problem is not None:
        raise UsageError(problem)
    return normalise_chat_key(chat_key)


async def admin_link(
    services: Services, chat_key: str, account: str, *, by: str, replace: bool
) -> IdentityLink:
    """Link ``chat_key`` to ``account`` on an admin's word, after the checks above."""
    key = checked_chat_key(chat_key)
    name = await checked_account(services, account)
    try:
        return await services.store.link_add(key, name, by, method="admin", replace=replace)
    except LinkConflict as conflict:
        raise UsageError(
            f"{key} is already linked to {conflict.account}; add --replace to link it to "
            f"{name} instead"
        ) from None
