"""Identity links, as transaction bodies for ``Store``."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, delete, select

from bot.chat_keys import normalise_chat_key
from bot.store.models import LINK_METHODS, IdentityLink


class LinkConflict(ValueError):
    """The chat identity is already linked to another account, and no replacement was asked."""

    def __init__(self, chat_key: str, account: str) -> None:
        super().__init__(f"{chat_key} is already linked to {account}")
        self.chat_key = chat_key
        self.account = account


def valid_chat_key(chat_key: str) -> bool:
    """``platform:user_id`` with both parts present.

    ``ChatIdentity.key()`` gives ``"irc:"`` for a speaker the platform did not
    verify; a link or state stored under it would be shared by all such speakers.
    """
    platform, _, user_id = chat_key.partition(":")
    return bool(platform) and bool(user_id)


def checked_chat_key(chat_key: str) -> str:
    """``chat_key`` in its one spelling; raises ``ValueError`` if it names nobody."""
    if not valid_chat_key(chat_key):
        raise ValueError(f"chat key {chat_key!r} is not platform:user_id of a verified speaker")
    return normalise_chat_key(chat_key)


def add(
    session: Session,
    chat_key: str,
    account: str,
    created_by: str,
    at: datetime,
    method: str,
    replace: bool,
) -> IdentityLink:
    if method not in LINK_METHODS:
        raise ValueError(f"link method {method!r} is not one of {', '.join(LINK_METHODS)}")
    link = get(session, chat_key)
    if link is None:
        link = IdentityLink(chat_key=chat_key, account=account, created_by=created_by)
    elif link.account != account and not replace:
        raise LinkConflict(chat_key, link.account)
    link.account, link.created_by, link.created_at, link.method = account, created_by, at, method
    session.add(link)
    session.flush()
    session.refresh(link)
    return link


def get(session: Session, chat_key: str) -> IdentityLink | None:
    if not valid_chat_key(chat_key):
        return None
    link = session.exec(select(IdentityLink).where(IdentityLink.chat_key == chat_key)).first()
    # Compared in Python too: a lenient collation must never grant someone else's account.
    return link if link is not None and link.chat_key == chat_key else None


def remove(session: Session, chat_key: str) -> IdentityLink | None:
    link = get(session, chat_key)
    if link is None:
        return None
    statement = delete(IdentityLink).where(col(IdentityLink.id) == link.id)
    return link if session.exec(statement).rowcount > 0 else None


def listing(session: Session, account: str | None) -> list[IdentityLink]:
    statement = select(IdentityLink).order_by(col(IdentityLink.chat_key))
    if account is not None:
        statement = statement.where(IdentityLink.account == account)
    return list(session.exec(statement).all())
