"""The store on every backend: schema by migration, links, audit, confirmations, outbox."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event, func, inspect, text
from sqlmodel import Session, select

from bot.store import LinkConflict, LinkRequest, PendingConfirmation, Store, sqlite_url
from bot.store.migrate import HEAD, current_revision, downgrade, head_revision, upgrade
from bot.store.models import StoreTable
from tests.db_urls import backend_params, fresh_database
from tests.store_fixtures import shared_db_url, store

__all__ = ["shared_db_url", "store"]  # fixtures

NOW = datetime(2025, 3, 14, 15, 9, 26, 535897, tzinfo=UTC)
TABLES = {
    "identity_link",
    "audit_event",
    "pending_confirmation",
    "conversation",
    "announcement",
    "delivery",
    "link_request",
}


@pytest.fixture(params=backend_params())
async def fresh_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """A store on a database nobody else has touched, for the migration tests."""
    with fresh_database(request.param, tmp_path) as url:
        store = await Store.open(url)
        yield store
        await store.close()


def table_names(store: Store) -> set[str]:
    return set(inspect(store.engine).get_table_names())


def pending_rows(store: Store) -> int:
    with Session(store.engine) as session:
        return session.exec(select(func.count()).select_from(PendingConfirmation)).one()


async def confirm(store: Store, chat_key: str = "irc:alice", ttl: float = 60) -> str:
    return await store.confirmation_create(
        chat_key=chat_key,
        command="restart",
        arguments={"tool": "mytool", "target": "job:bot"},
        description="restart job bot of mytool",
        now=NOW,
        ttl_seconds=ttl,
    )


# migrations


async def test_migrations_create_exactly_the_schema_the_models_describe(fresh_store: Store) -> None:
    assert TABLES <= table_names(fresh_store)
    assert current_revision(fresh_store.engine) == head_revision() == HEAD == "0005"
    with fresh_store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), StoreTable.metadata) == []


async def test_a_second_migrate_changes_nothing(fresh_store: Store) -> None:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement.strip().split()[0].upper())

    event.listen(fresh_store.engine, "before_cursor_execute", record)
    try:
        await fresh_store.migrate()
    finally:
        event.remove(fresh_store.engine, "before_cursor_execute", record)
    assert not {"CREATE", "ALTER", "DROP", "INSERT", "UPDATE"} & set(statements)
    assert current_revision(fresh_store.engine) == HEAD


async def test_downgrade_to_base_then_upgrade_gives_an_empty_working_schema(
    fresh_store: Store,
) -> None:
    await fresh_store.link_add("irc:alice", "alice", "admin")
    await asyncio.to_thread(downgrade, fresh_store.engine, "base")
    assert not TABLES & table_names(fresh_store)
    assert current_revision(fresh_store.engine) is None

    await fresh_store.migrate()
    assert await fresh_store.links() == []
    await fresh_store.link_add("irc:alice", "alice", "admin")
    assert await fresh_store.account_for("irc:alice") == "alice"


async def test_an_existing_database_is_upgraded_and_keeps_its_pending_confirmations(
    fresh_store: Store,
) -> None:
    """0001 -> 0002: a code issued before the upgrade still works, bound to nothing more."""
    await asyncio.to_thread(downgrade, fresh_store.engine, "0001")
    with fresh_store.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO pending_confirmation (code, chat_key, command, arguments, "
                "description, created_at, expires_at) VALUES ('1234', 'irc:alice', 'restart', "
                "'{}', 'restart x', :at, :until)"
            ),
            {
                "at": NOW.replace(tzinfo=None),
                "until": (NOW + timedelta(minutes=2)).replace(tzinfo=None),
            },
        )
    await fresh_store.migrate()
    assert current_revision(fresh_store.engine) == head_revision()
    taken = await fresh_store.confirmation_take(chat_key="irc:alice", code="1234", now=NOW)
    assert taken is not None and (taken.description, taken.binding) == ("restart x", "")


async def test_the_upgrade_to_0003_folds_irc_keys_and_marks_old_links_as_by_admin(
    fresh_store: Store,
) -> None:
    await asyncio.to_thread(downgrade, fresh_store.engine, "0002")
    at = NOW.replace(tzinfo=None)
    with fresh_store.engine.begin() as connection:
        for key, account in [
            ("irc:CaseUser", "alice"),
            ("irc:bob", "bob"),
            ("irc:BOB", "mallory"),
            ("zulip:7", "carol"),
        ]:
            connection.execute(
                text(
                    "INSERT INTO identity_link (chat_key, account, created_by, created_at) "
                    "VALUES (:key, :account, 'admin', :at)"
                ),
                {"key": key, "account": account, "at": at},
            )
        connection.execute(
            text(
                "INSERT INTO pending_confirmation (code, chat_key, command, arguments, "
                "description, created_at, expires_at, binding) VALUES ('1234', 'irc:Bob', "
                "'restart', '{}', 'restart x', :at, :at, '')"
            ),
            {"at": at},
        )
    await asyncio.to_thread(upgrade, fresh_store.engine)
    links = {link.chat_key: (link.account, link.method) for link in await fresh_store.links()}
    # The already-folded irc:bob wins over irc:BOB; every old link was an admin's.
    assert links == {
        "irc:caseuser": ("alice", "admin"),
        "irc:bob": ("bob", "admin"),
        "zulip:7": ("carol", "admin"),
    }
    assert pending_rows(fresh_store) == 0


async def test_the_default_sqlite_file_is_created_in_the_data_dir_in_wal_mode(
    tmp_path: Path,
) -> None:
    store = await Store.open(sqlite_url(tmp_path / "data"))
    try:
        assert (tmp_path / "data" / "forgebot.sqlite3").is_file()
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        await store.close()


# identity links


async def test_links_are_added_replaced_listed_and_removed(store: Store) -> None:
    first = await store.link_add("irc:alice", "alice", "admin", now=NOW)
    assert (first.account, first.created_by, first.created_at) == ("alice", "admin", NOW)
    assert first.method == "admin"
    await store.link_add("zulip:12", "alice", "alice", method="login")
    await store.link_add("slack:U123", "bob", "admin")

    with pytest.raises(LinkConflict) as conflict:
        await store.link_add("irc:alice", "alice2", "sre")
    assert conflict.value.account == "alice"
    replaced = await store.link_add("irc:alice", "alice2", "sre", replace=True, method="login")
    assert (replaced.id, replaced.method) == (first.id, "login")
    assert await store.account_for("irc:alice") == "alice2"
    assert [link.chat_key for link in await store.links()] == [
        "irc:alice",
        "slack:U123",
        "zulip:12",
    ]
    assert [link.chat_key for link in await store.links("alice")] == ["zulip:12"]

    removed = await store.link_remove("zulip:12")
    assert removed is not None and (removed.account, removed.method) == ("alice", "login")
    assert await store.link_remove("zulip:12") is None
    assert await store.links("alice") == []
    assert await store.account_for("zulip:12") is None


async def test_account_for_matches_only_the_exact_chat_key(store: Store) -> None:
    await store.link_add("irc:alice", "alice", "admin")
    # IRC accounts compare with the network's casemapping (rfc1459): one identity.
    assert await store.account_for("irc:ALICE") == "alice"
    assert await store.account_for("IRC:Alice") == "alice"
    lookalikes = [
        "irc:alice ",
        "irc: alice",
        "irc:alic",
        "irc:alice2",
        "irc:alicé",
        "irc:al%",
        "irc:alic_",
        "zulip:alice",
        "irc:",
    ]
    for key in lookalikes:
        assert await store.account_for(key) is None, key
    assert await store.account_for("irc:alice") == "alice"
    assert await store.links("Alice") == []


async def test_irc_links_that_differ_only_by_case_are_one_link(store: Store) -> None:
    await store.link_add("irc:CaseUser[m]", "alice", "admin")
    with pytest.raises(LinkConflict):
        await store.link_add("irc:caseuser{M}", "bob", "admin")
    assert [link.chat_key for link in await store.links()] == ["irc:caseuser{m}"]
    assert await store.link_remove("irc:CASEUSER[M]") is not None
    assert await store.links() == []
    # Zulip and Slack ids are not case-folded: they are the platforms' own exact ids.
    await store.link_add("slack:U0ABC", "alice", "admin")
    assert await store.account_for("slack:u0abc") is None


async def test_unverified_chat_keys_cannot_be_linked(store: Store) -> None:
    for key in ["irc:", "alice", ":alice"]:
        with pytest.raises(ValueError):
            await store.link_add(key, "alice", "admin")
    assert await store.links() == []


async def test_a_link_url_is_spent_once_and_its_login_finishes_once(store: Store) -> None:
    request = LinkRequest(
        token_digest="t" * 64, chat_key="irc:Alice", destination="alice_",
        expected_account=None, created_at=NOW, expires_at=NOW + timedelta(minutes=10),
    )  # fmt: skip
    await store.link_request_create(request, now=NOW)
    peeked = await store.link_request_peek("t" * 64, now=NOW)
    assert peeked is not None and peeked.chat_key == "irc:alice"
    spend = [
        store.link_request_start(
            "t" * 64, state_digest=f"s{n}", nonce="n", code_verifier="v", now=NOW
        )
        for n in range(5)
    ]
    started = [r for r in await asyncio.gather(*spend) if r is not None]
    assert len(started) == 1  # concurrent clicks: exactly one login starts
    assert await store.link_request_peek("t" * 64, now=NOW) is None
    state = started[0].state_digest
    assert state is not None
    assert await store.link_request_finish("nonsense") is None
    finished = await asyncio.gather(*(store.link_request_finish(state) for _ in range(3)))
    assert [f.chat_key for f in finished if f is not None] == ["irc:alice"]


async def test_an_expired_link_url_cannot_be_spent(store: Store) -> None:
    request = LinkRequest(
        token_digest="e" * 64, chat_key="zulip:9", destination="9",
        created_at=NOW, expires_at=NOW + timedelta(minutes=10),
    )  # fmt: skip
    await store.link_request_create(request, now=NOW)
    later = NOW + timedelta(minutes=10)
    assert await store.link_request_peek("e" * 64, now=later) is None
    spent = await store.link_request_start(
        "e" * 64, state_digest="s", nonce="n", code_verifier="v", now=later
    )
    assert spent is None


# audit


async def test_audit_rows_hold_any_name_a_user_can_type(store: Store) -> None:
    """Names from chat are cut to their columns: a refusal of a 300-character name is still
    recorded, on every backend (MariaDB and PostgreSQL reject what SQLite would keep)."""
    long = "x" * 300 + "é" * 300
    event_id = await store.audit(
        actor_account=long, chat_key=f"irc:{long}", platform="p" * 40, action="a" * 100,
        tool=long, target=long, result="r" * 100, detail="d" * 5000, now=NOW,
    )  # fmt: skip
    await store.audit_finish(event_id, result="z" * 100, detail="e" * 5000)
    [event] = await store.audit_events()
    assert event.id == event_id
    assert len(event.tool or "") == len(event.target or "") == len(event.chat_key) == 255
    assert (event.tool or "").endswith("…") and (event.tool or "").startswith("x" * 254)
    assert (len(event.platform), len(event.action), len(event.result)) == (32, 64, 64)
    assert len(event.detail) == 2000 and event.detail.startswith("eee")


async def test_an_intent_row_is_completed_in_place(store: Store) -> None:
    started = await store.audit(
        actor_account="alice", chat_key="irc:alice", platform="irc", action="restart",
        tool="mytool", target="bot", result="started", now=NOW,
    )  # fmt: skip
    [event] = await store.audit_events(tool="mytool")
    assert (event.id, event.result, event.detail) == (started, "started", "")
    await store.audit_finish(started, result="ok", detail="restarted bot")
    [event] = await store.audit_events(tool="mytool")
    assert (event.id, event.result, event.detail) == (started, "ok", "restarted bot")


async def test_audit_events_round_trip_as_aware_utc_newest_first(store: Store) -> None:
    berlin = timezone(timedelta(hours=2))
    await store.audit(
        actor_account="alice",
        chat_key="irc:alice",
        platform="irc",
        action="restart",
        tool="mytool",
        target="job:bot",
        result="ok",
        detail="restarted ✅ 🚀",
        now=NOW.astimezone(berlin),
    )
    later = NOW + timedelta(microseconds=1)
    await store.audit(
        actor_account=None,
        chat_key="irc:",
        platform="irc",
        action="logs",
        tool="mytool",
        target="job:bot",
        result="refused",
        now=later,
    )
    await store.audit(
        actor_account="root",
        chat_key="console:root",
        platform="console",
        action="link.add",
        tool=None,
        target=None,
        result="failed: no such account",
        now=later + timedelta(seconds=1),
    )

    events = await store.audit_events(tool="mytool")
    assert [e.result for e in events] == ["refused", "ok"]
    assert events[0].at == later and events[0].at.tzinfo == UTC
    assert events[1].at == NOW and events[1].at.microsecond == NOW.microsecond
    assert (events[1].actor_account, events[1].detail) == ("alice", "restarted ✅ 🚀")
    assert events[0].actor_account is None
    assert [e.action for e in await store.audit_events(limit=2)] == ["link.add", "logs"]


async def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="naive"):
        await store.conversation_put(
            "irc:alice", "migrate", tool=None, step="start", state={}, now=datetime(2025, 1, 1)
        )


# confirmations


async def test_a_confirmation_is_taken_once(store: Store) -> None:
    code = await confirm(store)
    assert len(code) == 4 and code.isdigit()
    taken = await store.confirmation_take(chat_key="irc:alice", code=code, now=NOW)
    assert taken is not None
    assert (taken.command, taken.load_arguments()) == (
        "restart",
        {"tool": "mytool", "target": "job:bot"},
    )
    assert taken.expires_at == NOW + timedelta(seconds=60)
    assert await store.confirmation_take(chat_key="irc:alice", code=code, now=NOW) is None


async def test_an_expired_confirmation_cannot_be_taken_and_is_purged(store: Store) -> None:
    still_live = await confirm(store, ttl=30)
    expiring = await confirm(store, ttl=10)
    ten_s = NOW + timedelta(seconds=10)
    assert await store.confirmation_take(chat_key="irc:alice", code=expiring, now=ten_s) is None
    assert pending_rows(store) == 1
    assert await store.confirmation_take(chat_key="irc:alice", code=still_live, now=ten_s)
    assert pending_rows(store) == 0


async def test_only_the_requester_can_take_a_confirmation(store: Store) -> None:
    code = await confirm(store, chat_key="irc:alice")
    for other in ["irc:bob", "irc:Alice", "zulip:alice", "irc:"]:
        assert await store.confirmation_take(chat_key=other, code=code, now=NOW) is None
    assert await store.confirmation_take(chat_key="irc:alice", code=code, now=NOW) is not None


async def test_concurrent_takes_of_one_code_have_exactly_one_winner(store: Store) -> None:
    code = await confirm(store)
    takes = [store.confirmation_take(chat_key="irc:alice", code=code, now=NOW) for _ in range(10)]
    results = await asyncio.gather(*takes)
    assert sum(result is not None for result in results) == 1
    assert pending_rows(store) == 0


async def test_live_codes_of_one_speaker_are_distinct(store: Store) -> None:
    codes = await asyncio.gather(*(confirm(store) for _ in range(30)))
    assert len(set(codes)) == 30


# conversations


async def test_a_conversation_survives_a_restart(store: Store) -> None:
    await store.conversation_put(
        "zulip:12", "migrate", tool="mytool", step="jobs", state={"jobs": ["bot"], "n": 1}, now=NOW
    )
    await store.conversation_put(
        "zulip:12",
        "migrate",
        tool="mytool",
        step="plan",
        state={"jobs": ["bot"], "n": 2},
        now=NOW + timedelta(minutes=1),
    )
    await store.close()

    restarted = await Store.open(store.url)
    try:
        conversation = await restarted.conversation_get("zulip:12", "migrate")
        assert conversation is not None
        assert (conversation.tool, conversation.step) == ("mytool", "plan")
        assert conversation.load_state() == {"jobs": ["bot"], "n": 2}
        assert conversation.updated_at == NOW + timedelta(minutes=1)
        assert await restarted.conversation_get("zulip:12", "other") is None
        assert await restarted.conversation_get("zulip:13", "migrate") is None
        assert await restarted.conversation_delete("zulip:12", "migrate") is True
        assert await restarted.conversation_delete("zulip:12", "migrate") is False
        assert await restarted.conversation_get("zulip:12", "migrate") is None
    finally:
        await restarted.close()
