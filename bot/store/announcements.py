"""Announcements: create with their deliveries, list, cancel, acknowledge, count.

Transaction bodies for :class:`bot.store.Store`; the outbox side (claiming
and completing deliveries) is :mod:`bot.store.outbox`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import and_, func, not_, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select, update

from bot.store.models import DELIVERY_KINDS, Announcement, Delivery

Period = Literal["current", "upcoming", "past", "all"]
AckOutcome = Literal["acked", "already", "unknown", "not_recipient"]
PERSON_KINDS = ("dm", "email", "none")
ANNOUNCE = "announce"  # Delivery.purpose of the announcement itself (not a reminder)


@dataclass(frozen=True)
class Recipient:
    """One delivery to make: who, where, why (their tools), and whether it can be tried.

    ``destination`` is ``<platform>:<address>`` (see :class:`Delivery`); a
    person nobody can reach is ``kind="none"``, ``destination="none:"``,
    ``status="unreachable"`` with the reason in ``error``.
    """

    recipient: str
    destination: str
    kind: str
    tools: tuple[str, ...] = ()
    status: Literal["pending", "unreachable"] = "pending"
    error: str = ""

    def __post_init__(self) -> None:
        if self.kind not in DELIVERY_KINDS:
            raise ValueError(f"delivery kind {self.kind!r} is not one of {DELIVERY_KINDS}")
        if ":" not in self.destination:
            raise ValueError(f"destination {self.destination!r} names no platform")


@dataclass(frozen=True)
class StatusCounts:
    """How an announcement's fan-out stands."""

    by_kind: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> status -> rows
    people: int = 0  # distinct developer accounts among the recipients
    acked: int = 0  # of those, how many acknowledged

    def count(self, status: str, kind: str | None = None) -> int:
        kinds = [kind] if kind is not None else list(self.by_kind)
        return sum(self.by_kind.get(k, {}).get(status, 0) for k in kinds)


def create(session: Session, announcement: Announcement, recipients: Sequence[Recipient]) -> int:
    """Insert ``announcement`` and one delivery per distinct (recipient, destination).

    Repeated pairs are merged, their tools joined.
    """
    session.add(announcement)
    session.flush()
    assert announcement.id is not None
    merged: dict[tuple[str, str], tuple[Recipient, list[str]]] = {}
    for r in recipients:
        _, tools = merged.setdefault((r.recipient, r.destination), (r, []))
        tools.extend(t for t in r.tools if t not in tools)
    session.add_all(
        Delivery(
            announcement_id=announcement.id,
            recipient=r.recipient,
            destination=r.destination,
            platform=r.destination.partition(":")[0],
            kind=r.kind,
            tools=json.dumps(sorted(tools)),
            status=r.status,
            last_error=r.error,
        )
        for r, tools in merged.values()
    )
    return announcement.id


def get(session: Session, announcement_id: int) -> Announcement | None:
    return session.get(Announcement, announcement_id)


# How long an incident without a window stays news.
RECENT_INCIDENT = timedelta(hours=24)


def listing(
    session: Session, period: Period, now: datetime, recent: timedelta, limit: int
) -> list[Announcement]:
    """Announcements of ``period`` (see :meth:`bot.store.Store.announcements`)."""
    a = Announcement
    live = col(a.cancelled_at).is_(None)
    upcoming = and_(live, col(a.window_start).is_not(None), col(a.window_start) > now)
    in_window = and_(
        col(a.window_start).is_not(None),
        col(a.window_start) <= now,
        or_(col(a.window_end).is_(None), col(a.window_end) > now),
    )
    fresh_incident = and_(
        col(a.window_start).is_(None),
        col(a.severity) == "incident",
        col(a.created_at) > now - recent,
    )
    current = and_(live, or_(in_window, fresh_incident))
    conditions: dict[str, ColumnElement[bool] | None] = {
        "upcoming": upcoming,
        "current": current,
        "past": not_(or_(upcoming, current)),
        "all": None,
    }
    statement = select(a)
    condition = conditions[period]
    if condition is not None:
        statement = statement.where(condition)
    if period == "upcoming":
        statement = statement.order_by(col(a.window_start), col(a.id))
    else:
        statement = statement.order_by(col(a.created_at).desc(), col(a.id).desc())
    return list(session.exec(statement.limit(limit)).all())


def cancel(
    session: Session, announcement_id: int, by: str, now: datetime
) -> tuple[Announcement | None, int]:
    """Mark the announcement cancelled; its unsent deliveries become ``cancelled``.

    Returns the announcement (``None``: no such one) and how many deliveries
    will not be sent. Claimed ones are being sent and finish; cancelling twice
    keeps the first time and author.
    """
    announcement = session.get(Announcement, announcement_id)
    if announcement is None:
        return None, 0
    if announcement.cancelled_at is None:
        announcement.cancelled_at, announcement.cancelled_by = now, by
    dropped = session.exec(
        update(Delivery)
        .where(col(Delivery.announcement_id) == announcement_id, col(Delivery.status) == "pending")
        .values(status="cancelled")
        .execution_options(synchronize_session=False)
    ).rowcount
    session.flush()
    return announcement, int(dropped)


def ack(session: Session, announcement_id: int, account: str, now: datetime) -> AckOutcome:
    """Record that ``account`` has seen the announcement, on all its deliveries to them."""
    if session.get(Announcement, announcement_id) is None:
        return "unknown"
    mine = and_(
        col(Delivery.announcement_id) == announcement_id,
        col(Delivery.recipient) == account,
        col(Delivery.kind).in_(PERSON_KINDS),
    )
    rows = session.exec(select(func.count()).select_from(Delivery).where(mine)).one()
    if rows == 0:
        return "not_recipient"
    changed = session.exec(
        update(Delivery)
        .where(mine, col(Delivery.acked_at).is_(None))
        .values(acked_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    return "acked" if changed else "already"


def deliveries(session: Session, announcement_id: int) -> list[Delivery]:
    """The announcement's own deliveries (its reminders are counted on them)."""
    statement = (
        select(Delivery)
        .where(Delivery.announcement_id == announcement_id, Delivery.purpose == ANNOUNCE)
        .order_by(col(Delivery.recipient), col(Delivery.destination))
    )
    return list(session.exec(statement).all())


def counts(session: Session, announcement_id: int) -> StatusCounts:
    of_it = and_(
        col(Delivery.announcement_id) == announcement_id, col(Delivery.purpose) == ANNOUNCE
    )
    by_kind: dict[str, dict[str, int]] = {}
    grouped = session.exec(
        select(Delivery.kind, Delivery.status, func.count())
        .where(of_it)
        .group_by(col(Delivery.kind), col(Delivery.status))
    ).all()
    for kind, status, n in grouped:
        by_kind.setdefault(kind, {})[status] = n
    person = and_(of_it, col(Delivery.kind).in_(PERSON_KINDS))
    distinct = func.count(func.distinct(Delivery.recipient))
    people = session.exec(select(distinct).where(person)).one()
    acked = session.exec(select(distinct).where(person, col(Delivery.acked_at).is_not(None))).one()
    return StatusCounts(by_kind=by_kind, people=people, acked=acked)
