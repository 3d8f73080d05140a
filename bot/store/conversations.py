"""Conversation state (the migration wizard's), as transaction bodies for ``Store``."""

from __future__ import annotations

from sqlmodel import Session, col, delete, select

from bot.store.models import Conversation


def get(session: Session, chat_key: str, kind: str) -> Conversation | None:
    return session.exec(
        select(Conversation).where(Conversation.chat_key == chat_key, Conversation.kind == kind)
    ).first()


def holders(session: Session, kind: str) -> list[str]:
    """The chat keys that have a ``kind`` conversation."""
    statement = select(Conversation.chat_key).where(Conversation.kind == kind)
    return list(session.exec(statement).all())


def put(session: Session, new: Conversation) -> None:
    current = get(session, new.chat_key, new.kind)
    if current is None:
        session.add(new)
    else:
        current.tool, current.step = new.tool, new.step
        current.state, current.updated_at = new.state, new.updated_at
        session.add(current)
    session.flush()


def remove(session: Session, chat_key: str, kind: str) -> bool:
    statement = delete(Conversation).where(
        col(Conversation.chat_key) == chat_key, col(Conversation.kind) == kind
    )
    return session.exec(statement).rowcount > 0
