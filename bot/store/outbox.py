"""Announcements and their deliveries, as transaction bodies for ``Store``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select, update

from bot.store.models import Announcement, Delivery


def create(session: Session, announcement: Announcement, destinations: list[str]) -> int:
    """Insert ``announcement`` and one pending delivery per distinct destination."""
    session.add(announcement)
    session.flush()
    assert announcement.id is not None
    session.add_all(
        Delivery(announcement_id=announcement.id, destination=destination)
        for destination in dict.fromkeys(destinations)
    )
    return announcement.id


def pending(session: Session, limit: int) -> list[Delivery]:
    statement = select(Delivery).where(Delivery.status == "pending").order_by(col(Delivery.id))
    return list(session.exec(statement.limit(limit)).all())


def mark(session: Session, delivery_id: int, sent: bool, error: str, now: datetime) -> bool:
    """Record one attempt, unless the delivery is missing or already sent."""
    values: dict[str, Any] = {
        "status": "sent" if sent else "failed",
        "attempts": col(Delivery.attempts) + 1,
        "last_error": "" if sent else error,
        "sent_at": now if sent else None,
    }
    statement = (
        update(Delivery)
        .where(col(Delivery.id) == delivery_id, col(Delivery.status) != "sent")
        .values(values)
        .execution_options(synchronize_session=False)
    )
    return session.exec(statement).rowcount == 1
