"""Identity links, as transaction bodies for ``Store``."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, delete, select

from bot.store.models import IdentityLink


def valid_chat_key(chat_key: str) -> bool:
    """``platform:user_id`` with both parts present.

    ``ChatIdentity.key()`` gives ``"irc:"`` for a speaker the platform did not
    verify; a link or state stored under it would be shared by all such speakers.
    """
    platform, _, user_id = chat_key.partition(":")
    return bool(platform) and bool(user_id)


def checked_chat_key(chat_key: str) -> str:
    if not valid_chat_key(chat_key):
        raise ValueError(f"chat key {chat_key!r} is not platform:user_id of a verified speaker")
    return chat_key


def add(
    session: Session, chat_key: str, account: str, created_by: str, at: datetime
) -> IdentityLink:
    link = session.exec(select(IdentityLink).where(IdentityLink.chat_key == chat_key)).first()
    if link is None:
        link = IdentityLink(
            chat_key=chat_key, account=account, created_by=created_by, created_at=at
        )
    else:
        link.account, link.created_by, link.created_at = account, created_by, at
    session.add(link)
    session.flush()
    return link


def remove(session: Session, chat_key: str) -> bool:
    statement = delete(IdentityLink).where(col(IdentityLink.chat_key) == chat_key)
    return session.exec(statement).rowcount > 0


def listing(session: Session, account: str | None) -> list[IdentityLink]:
    statement = select(IdentityLink).order_by(col(IdentityLink.chat_key))
    if account is not None:
        statement = statement.where(IdentityLink.account == account)
    return list(session.exec(statement).all())


def account_for(session: Session, chat_key: str) -> str | None:
    if not valid_chat_key(chat_key):
        return None
    link = session.exec(select(IdentityLink).where(IdentityLink.chat_key == chat_key)).first()
    # Compared in Python too: a lenient collation must never grant someone else's account.
    return link.account if link is not None and link.chat_key == chat_key else None
