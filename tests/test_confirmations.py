"""The confirmation codes' transaction bodies (bot/store/confirmations.py), on SQLite.

The pipeline's use of them (a code works once, only for whoever asked, and
runs only what it described) is in tests/test_policy.py, tests/test_store.py
and the authorisation matrix; these pin the rules of the codes themselves:
unique per person, a bounded number per person, each person's own, expiry.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, select

from bot.store.confirmations import CODE_DIGITS, CODE_SPACE, create, fresh_code, take
from bot.store.models import PendingConfirmation

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://", poolclass=StaticPool)  # one in-memory database
    PendingConfirmation.metadata.create_all(engine)
    with Session(engine) as session:
        yield session
    engine.dispose()


def pending(chat_key: str, *, at: datetime = NOW, ttl: float = 120) -> PendingConfirmation:
    return PendingConfirmation(
        code="", chat_key=chat_key, command="restart", created_at=at,
        expires_at=at + timedelta(seconds=ttl),
    )  # fmt: skip


def test_codes_are_four_digits() -> None:
    assert (CODE_DIGITS, CODE_SPACE) == (4, 10_000)
    codes = {fresh_code(set()) for _ in range(200)}
    assert all(len(c) == 4 and c.isdigit() for c in codes)
    assert len(codes) > 150  # drawn at random, not counted up


def test_a_code_avoids_the_ones_taken() -> None:
    taken = {f"{n:04d}" for n in range(CODE_SPACE) if n != 4242}
    assert fresh_code(taken) == "4242"


def test_half_the_codes_per_person_then_no_more(session: Session) -> None:
    held = {f"{n:04d}" for n in range(0, 2 * (CODE_SPACE // 2 - 10), 2)}  # 4990 even codes
    for code in held:
        row = pending("irc:alice")
        row.code = code
        session.add(row)
    session.flush()
    new = [create(session, pending("irc:alice")) for _ in range(10)]
    assert len(set(new)) == 10 and not set(new) & held  # each unique for her
    with pytest.raises(RuntimeError, match=r"^too many pending confirmations for irc:alice$"):
        create(session, pending("irc:alice"))
    # Someone else still gets one: the limit is per person.
    assert len(create(session, pending("irc:bob"))) == 4


def test_expired_codes_are_purged_when_a_new_one_is_made(session: Session) -> None:
    create(session, pending("irc:alice", at=NOW - timedelta(minutes=10)))
    create(session, pending("irc:bob", at=NOW - timedelta(seconds=119)))
    create(session, pending("irc:carol"))
    left = {p.chat_key for p in session.exec(select(PendingConfirmation)).all()}
    assert left == {"irc:bob", "irc:carol"}


def test_a_code_is_taken_once_and_only_by_its_person(session: Session) -> None:
    code = create(session, pending("irc:alice"))
    assert take(session, "irc:bob", code, NOW) is None
    taken = take(session, "irc:alice", code, NOW)
    assert taken is not None and (taken.chat_key, taken.code) == ("irc:alice", code)
    assert take(session, "irc:alice", code, NOW) is None


def test_the_same_code_held_by_two_people_is_each_ones_own(session: Session) -> None:
    for key in ("irc:mallory", "irc:alice"):  # mallory's row first in the table
        session.add(
            PendingConfirmation(
                code="1234",
                chat_key=key,
                command="restart",
                created_at=NOW,
                expires_at=NOW + timedelta(minutes=2),
            )
        )
    session.flush()
    taken = take(session, "irc:alice", "1234", NOW)
    assert taken is not None and taken.chat_key == "irc:alice"
    left = session.exec(select(PendingConfirmation)).all()
    assert [(p.chat_key, p.code) for p in left] == [("irc:mallory", "1234")]


def test_an_expired_code_cannot_be_taken(session: Session) -> None:
    code = create(session, pending("irc:alice"))
    assert take(session, "irc:alice", code, NOW + timedelta(seconds=120)) is None
    assert session.exec(select(PendingConfirmation)).all() == []


def test_each_of_a_persons_codes_is_taken_by_its_own_number(session: Session) -> None:
    first = create(session, pending("irc:alice"))
    second = create(session, pending("irc:alice"))
    taken = take(session, "irc:alice", second, NOW)
    assert taken is not None and taken.code == second
    left = session.exec(select(PendingConfirmation)).all()
    assert [p.code for p in left] == [first]
