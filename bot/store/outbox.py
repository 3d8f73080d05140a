"""The announcement outbox: claim, complete, fail, renew and recover deliveries.

Transaction bodies for :class:`bot.store.Store`. A dispatcher *claims* a batch
of due deliveries (``pending``, past their ``not_before``) on the platforms it
can send to: the rows become ``claimed`` by its worker id in the same
transaction that selected them. On PostgreSQL and MariaDB that SELECT takes
row locks with ``FOR UPDATE SKIP LOCKED``, so a second dispatcher skips the
rows the first is claiming instead of waiting for them or taking them too; on
SQLite the transaction holds the one database write lock from its
``BEGIN IMMEDIATE`` (see :mod:`bot.store.engine`), so claims are serialised.

After sending, the dispatcher *completes* the row (``sent``) or *fails* it:
back to ``pending`` with a ``not_before`` (a retry after backoff), or
``failed`` for good. A dispatcher that dies keeps its claims until another
one *recovers* them, which happens once their ``claimed_at`` is older than
the claim timeout; a live dispatcher *renews* its claims so that a slow
platform (IRC flood control) does not make them look abandoned. A recovered
delivery is sent again: if the dead process had sent it already, that is a
duplicate, so duplicates are bounded by the claims in flight at a crash.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, or_
from sqlmodel import Session, col, select, update

from bot.store.models import Announcement, Delivery

OPEN_STATUSES = ("pending", "claimed")


def claim(
    session: Session, worker: str, platforms: Collection[str], limit: int, now: datetime
) -> list[Delivery]:
    """Up to ``limit`` due deliveries on ``platforms``, oldest first, now claimed by ``worker``."""
    if limit <= 0 or not platforms:
        return []
    statement = (
        select(Delivery)
        .where(
            Delivery.status == "pending",
            col(Delivery.platform).in_(sorted(platforms)),
            or_(col(Delivery.not_before).is_(None), col(Delivery.not_before) <= now),
        )
        .order_by(col(Delivery.id))
        .limit(limit)
        .with_for_update(skip_locked=True)  # SQLite renders nothing: its write lock suffices
    )
    rows = list(session.exec(statement).all())
    if not rows:
        return []
    session.exec(
        update(Delivery)
        .where(col(Delivery.id).in_([row.id for row in rows]))
        .values(status="claimed", claimed_by=worker, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    for row in rows:
        session.expunge(row)  # the caller's copies: the UPDATE above is what is stored
        row.status, row.claimed_by, row.claimed_at = "claimed", worker, now
    return rows


def complete(session: Session, delivery_id: int, now: datetime) -> bool:
    """Record that the delivery was sent. ``False`` if it was recorded as sent already.

    Whoever holds the claim, the message went out: a sent delivery stays sent,
    even when its claim had been recovered and handed to another dispatcher.
    """
    values: dict[str, Any] = {
        "status": "sent",
        "attempts": col(Delivery.attempts) + 1,
        "last_error": "",
        "sent_at": now,
    }
    return _update(session, delivery_id, values, col(Delivery.status) != "sent")


def fail(
    session: Session,
    delivery_id: int,
    worker: str,
    error: str,
    now: datetime,
    retry_at: datetime | None,
    final: str = "failed",
) -> bool:
    """Record a failed attempt: retry at ``retry_at``, or (``None``) end with ``final``
    (``failed``; ``cancelled`` for one found cancelled before it was sent).

    Only the worker holding the claim may do so; ``False`` if it lost it.
    """
    values: dict[str, Any] = {
        "attempts": col(Delivery.attempts) + 1,
        "last_error": error,
    }
    if retry_at is None:
        values["status"] = final
    else:
        values |= {"status": "pending", "not_before": retry_at}
    return _update(
        session,
        delivery_id,
        values,
        col(Delivery.status) == "claimed",
        col(Delivery.claimed_by) == worker,
    )


def renew(session: Session, worker: str, delivery_ids: Sequence[int], now: datetime) -> int:
    """Refresh the claims ``worker`` still holds among ``delivery_ids``; how many it holds."""
    if not delivery_ids:
        return 0
    statement = (
        update(Delivery)
        .where(
            col(Delivery.id).in_(list(delivery_ids)),
            col(Delivery.status) == "claimed",
            col(Delivery.claimed_by) == worker,
        )
        .values(claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(session.exec(statement).rowcount)


def recover(session: Session, stale_before: datetime) -> int:
    """Put claims not renewed since ``stale_before`` back to ``pending``; how many.

    The attempt counts (it may have reached the person) and says so in
    ``last_error``; ``claimed_by`` stays, for the record of who had it.
    """
    statement = (
        update(Delivery)
        .where(col(Delivery.status) == "claimed", col(Delivery.claimed_at) < stale_before)
        .values(
            status="pending",
            attempts=col(Delivery.attempts) + 1,
            last_error="its sender stopped before saying whether it was sent",
            not_before=None,
        )
        .execution_options(synchronize_session=False)
    )
    return int(session.exec(statement).rowcount)


def fall_back(session: Session, failed: Delivery, destination: str) -> bool:
    """Queue ``destination`` (mail) for the person of ``failed``, a direct message that
    failed for good, unless another delivery to them was sent or is still open."""
    others = session.exec(
        select(Delivery.status, Delivery.destination).where(
            Delivery.announcement_id == failed.announcement_id,
            Delivery.recipient == failed.recipient,
        )
    ).all()
    if any(status in ("sent", *OPEN_STATUSES) for status, _ in others):
        return False
    if any(where == destination for _, where in others):
        return False
    session.add(
        Delivery(
            announcement_id=failed.announcement_id,
            recipient=failed.recipient,
            destination=destination,
            platform=destination.partition(":")[0],
            kind="email",
            tools=failed.tools,
            last_error=f"instead of {failed.destination}: {failed.last_error}"[:2000],
        )
    )
    return True


def settle(session: Session, now: datetime) -> int:
    """Set ``sent_at`` on announcements none of whose deliveries is open any more.

    One statement over all announcements, run after each batch and when idle:
    two dispatchers completing an announcement's last two deliveries at once
    may each still see the other's open, so a later run settles it.
    """
    open_delivery = exists().where(
        col(Delivery.announcement_id) == col(Announcement.id),
        col(Delivery.status).in_(OPEN_STATUSES),
    )
    statement = (
        update(Announcement)
        .where(col(Announcement.sent_at).is_(None), ~open_delivery)
        .values(sent_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(session.exec(statement).rowcount)


def _update(session: Session, delivery_id: int, values: dict[str, Any], *where: Any) -> bool:
    statement = (
        update(Delivery)
        .where(col(Delivery.id) == delivery_id, *where)
        .values(values)
        .execution_options(synchronize_session=False)
    )
    return int(session.exec(statement).rowcount) == 1


def depth(session: Session) -> dict[str, int]:
    """Deliveries still to send (pending or claimed), per platform: the outbox's depth."""
    statement = (
        select(Delivery.platform, func.count())
        .where(col(Delivery.status).in_(OPEN_STATUSES))
        .group_by(col(Delivery.platform))
    )
    return {platform: int(count) for platform, count in session.exec(statement).all()}
