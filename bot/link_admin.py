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


async def checked_link(
    services: Services, chat_key: str, account: str, *, replace: bool
) -> tuple[str, str]:
    """The chat key and account of a link an admin may make (no side effects)."""
    key = checked_chat_key(chat_key)
    name = await checked_account(services, account)
    current = await services.store.link_get(key)
    if current is not None and current.account != name and not replace:
        raise _conflict(key, current.account, name)
    return key, name


async def admin_link(
    services: Services, chat_key: str, account: str, *, by: str, replace: bool
) -> IdentityLink:
    """Link ``chat_key`` to ``account`` on an admin's word, after the checks above."""
    key, name = await checked_link(services, chat_key, account, replace=replace)
    try:
        return await services.store.link_add(key, name, by, method="admin", replace=replace)
    except LinkConflict as conflict:  # linked by someone else since the check
        raise _conflict(key, conflict.account, name) from None


def _conflict(key: str, current: str, wanted: str) -> UsageError:
    return UsageError(
        f"{key} is already linked to {current}; add --replace to link it to {wanted} instead"
    )
