"""Pending confirmations, as transaction bodies for ``Store``."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlmodel import Session, col, delete, select

from bot.store.models import PendingConfirmation

CODE_DIGITS = 4
CODE_SPACE = 10**CODE_DIGITS


def create(session: Session, pending: PendingConfirmation) -> str:
    """Insert ``pending`` under a code its speaker has no other live confirmation with."""
    purge_expired(session, pending.created_at)
    live = set(
        session.exec(
            select(PendingConfirmation.code).where(PendingConfirmation.chat_key == pending.chat_key)
        ).all()
    )
    if len(live) >= CODE_SPACE // 2:
        raise RuntimeError(f"too many pending confirmations for {pending.chat_key}")
    pending.code = fresh_code(live)
    session.add(pending)
    session.flush()
    return pending.code


def take(session: Session, chat_key: str, code: str, now: datetime) -> PendingConfirmation | None:
    """The live confirmation, deleted; ``None`` if another transaction deleted it first."""
    purge_expired(session, now)
    pending = session.exec(
        select(PendingConfirmation).where(
            PendingConfirmation.chat_key == chat_key, PendingConfirmation.code == code
        )
    ).first()
    if pending is None or (pending.chat_key, pending.code) != (chat_key, code):
        return None
    # The DELETE is the claim: a concurrent take waits on the row lock (or, on
    # SQLite, on the database write lock) and then deletes nothing.
    taken = session.exec(
        delete(PendingConfirmation)
        .where(col(PendingConfirmation.id) == pending.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    return pending if taken == 1 else None


def purge_expired(session: Session, now: datetime) -> None:
    session.exec(
        delete(PendingConfirmation)
        .where(col(PendingConfirmation.expires_at) <= now)
        .execution_options(synchronize_session=False)
    )


def fresh_code(taken: set[str]) -> str:
    while True:
        code = f"{secrets.randbelow(CODE_SPACE):0{CODE_DIGITS}d}"
        if code not in taken:
            return code
