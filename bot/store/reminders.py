"""Reminders as outbox rows: which are due, queued once each.

Transaction bodies for :class:`bot.store.Store`. A reminder is a
:class:`Delivery` of its own (``purpose`` ``reminder-<n>`` or ``window``)
beside the announcement's delivery it follows, so the dispatcher sends it
like any other: claimed, sent once, retried, recovered after a crash. The
announcement's delivery keeps the count (``reminders_sent``) and the time of
the last one (``last_reminded_at``).

Queuing is exactly once: the deliveries a reminder is made for are selected
``FOR UPDATE SKIP LOCKED`` (two processes never queue for the same one at
once; SQLite serialises writers anyway), and the delivery key includes the
purpose, so a second ``reminder-1`` to one destination cannot exist.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select, update

from bot.store.models import Announcement, Delivery

ANNOUNCE = "announce"
WINDOW = "window"
PERSON_KINDS = ("dm", "email")  # those who can acknowledge, and can be reached


def nudge_purpose(number: int) -> str:
    return f"reminder-{number}"


def _follow_up(original: Delivery, purpose: str) -> Delivery:
    return Delivery(
        announcement_id=original.announcement_id,
        recipient=original.recipient,
        destination=original.destination,
        platform=original.platform,
        kind=original.kind,
        tools=original.tools,
        purpose=purpose,
    )


def _live(now: datetime) -> Any:
    """Announcements still worth a reminder: not cancelled, window not over."""
    a = Announcement
    over = or_(col(a.window_end).is_(None), col(a.window_end) > now)
    return select(a.id).where(col(a.cancelled_at).is_(None), over)


def queue_nudges(
    session: Session, now: datetime, every: timedelta, most: int, limit: int
) -> int:
    """Queue the next reminder for each person who has not acknowledged, at most ``most``
    in all per delivery, ``every`` apart (counted from the announcement's own sending)."""
    if most <= 0:
        return 0
    due = now - every
    d = Delivery
    statement = (
        select(d)
        .where(
            d.purpose == ANNOUNCE,
            col(d.kind).in_(PERSON_KINDS),
            d.status == "sent",
            col(d.acked_at).is_(None),
            d.reminders_sent < most,
            or_(
                and_(col(d.last_reminded_at).is_(None), col(d.sent_at) <= due),
                col(d.last_reminded_at) <= due,
            ),
            col(d.announcement_id).in_(_live(now)),
        )
        .order_by(col(d.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    originals = list(session.exec(statement).all())
    session.add_all(
        _follow_up(original, nudge_purpose(original.reminders_sent + 1)) for original in originals
    )
    _reminded(session, originals, now, counted=True)
    return len(originals)


def queue_window(session: Session, now: datetime, lead: timedelta, limit: int) -> int:
    """Queue one ``window`` reminder per delivered recipient (people and channels) of each
    announcement whose maintenance window starts within ``lead``.

    Only where the announcement reached them at least ``lead`` before the window:
    otherwise it is itself the notice, and a second message minutes later is noise.
    """
    if lead <= timedelta(0):
        return 0
    a, d, earlier = Announcement, Delivery, aliased(Delivery)
    starting = (
        select(a.id)
        .where(col(a.cancelled_at).is_(None), col(a.window_start) > now,
               col(a.window_start) <= now + lead)  # fmt: skip
    )
    already = exists().where(
        col(earlier.announcement_id) == col(d.announcement_id),
        col(earlier.recipient) == col(d.recipient),
        col(earlier.destination) == col(d.destination),
        col(earlier.purpose) == WINDOW,
    )
    statement = (
        select(d)
        .where(
            d.purpose == ANNOUNCE,
            d.status == "sent",
            col(d.kind).in_((*PERSON_KINDS, "channel")),
            col(d.announcement_id).in_(starting),
            ~already,
        )
        .order_by(col(d.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    originals = list(session.exec(statement).all())
    starts = {
        row.id: row.window_start
        for row in session.exec(
            select(a).where(col(a.id).in_({o.announcement_id for o in originals}))
        ).all()
    }
    queued = []
    for original in originals:
        start = starts.get(original.announcement_id)
        follow_up = _follow_up(original, WINDOW)
        sent = original.sent_at
        if start is None or sent is None or sent > start - lead:
            # Recorded as not needed, so that it is not looked at again at every tick.
            follow_up.status = "cancelled"
            follow_up.last_error = "not sent: the announcement came shortly before the window"
        else:
            queued.append(original)
        session.add(follow_up)
    _reminded(session, queued, now, counted=False)
    return len(queued)


def _reminded(session: Session, originals: list[Delivery], now: datetime, *, counted: bool) -> None:
    """Note a queued reminder on the deliveries it follows (one statement); ``counted``:
    one more of the bounded reminders (the window's is one of its own, outside the count)."""
    if not originals:
        return
    values: dict[str, Any] = {"last_reminded_at": now}
    if counted:
        values["reminders_sent"] = col(Delivery.reminders_sent) + 1
    session.exec(
        update(Delivery)
        .where(col(Delivery.id).in_([original.id for original in originals]))
        .values(values)
        .execution_options(synchronize_session=False)
    )
