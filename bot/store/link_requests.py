"""One-time link URLs and the logins they start, as transaction bodies for ``Store``.

A request is created with the digest of its URL token; ``start`` spends the
token (once: a conditional update that only one caller can win) and records
the digest of the OIDC ``state``; ``finish`` takes the request back by that
state and deletes it (once, likewise). Expired requests are purged on the way.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, delete, select

from bot.store.models import LinkRequest


def create(session: Session, request: LinkRequest, now: datetime) -> None:
    _purge(session, now)
    # One pending link per chat identity: asking again replaces the earlier URL.
    session.exec(delete(LinkRequest).where(col(LinkRequest.chat_key) == request.chat_key))
    session.add(request)


def peek(session: Session, token_digest: str, now: datetime) -> LinkRequest | None:
    """The unspent, live request of a URL token (for showing its page)."""
    found = session.exec(
        select(LinkRequest).where(LinkRequest.token_digest == token_digest)
    ).first()
    if found is None or found.started_at is not None or found.expires_at <= now:
        return None
    return found


def start(
    session: Session,
    token_digest: str,
    state_digest: str,
    nonce: str,
    code_verifier: str,
    now: datetime,
) -> LinkRequest | None:
    """Spend the URL token: the request, now bound to ``state``; ``None`` if spent or expired."""
    statement = (
        update(LinkRequest)
        .where(col(LinkRequest.token_digest) == token_digest)
        .where(col(LinkRequest.started_at).is_(None))
        .where(col(LinkRequest.expires_at) > now)
        .values(
            started_at=now, state_digest=state_digest, nonce=nonce, code_verifier=code_verifier
        )
    )
    if session.exec(statement).rowcount != 1:  # type: ignore[call-overload]
        return None
    return session.exec(select(LinkRequest).where(LinkRequest.token_digest == token_digest)).one()


def finish(session: Session, state_digest: str) -> LinkRequest | None:
    """Take the started request of ``state`` (deleted: a callback works once)."""
    found = session.exec(
        select(LinkRequest).where(LinkRequest.state_digest == state_digest)
    ).first()
    if found is None:
        return None
    gone = session.exec(delete(LinkRequest).where(col(LinkRequest.id) == found.id))
    if gone.rowcount != 1:
        return None
    session.expunge(found)
    return found


def _purge(session: Session, now: datetime) -> None:
    session.exec(delete(LinkRequest).where(col(LinkRequest.expires_at) <= now))
