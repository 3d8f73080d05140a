"""Engines for SQLite, MariaDB and PostgreSQL, and a transaction runner that retries races."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session

from bot.backoff import Backoff

T = TypeVar("T")

SQLITE_BUSY_TIMEOUT_S = 15.0
MYSQL_RECYCLE_S = 1800  # ToolsDB drops idle connections; renew them before it does
ATTEMPTS = 6


def sqlite_url(data_dir: Path | str) -> str:
    """The default database: one SQLite file in forgebot's data directory."""
    return f"sqlite:///{Path(data_dir) / 'forgebot.sqlite3'}"


def make_engine(url: str) -> Engine:
    """An engine configured for the backend ``url`` names; it does not connect yet."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url)
    if backend in ("mysql", "mariadb"):
        if "charset" not in parsed.query:
            parsed = parsed.update_query_dict({"charset": "utf8mb4"})
        # READ COMMITTED as on PostgreSQL: fewer gap locks, so fewer deadlocks between
        # concurrent purges and takes; every operation here is a single short transaction.
        return create_engine(
            parsed,
            pool_pre_ping=True,
            pool_recycle=MYSQL_RECYCLE_S,
            isolation_level="READ COMMITTED",
        )
    return create_engine(parsed, pool_pre_ping=True)


def _sqlite_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        parsed,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the sqlite3 module (it skips BEGIN before SELECT),
        # so that _on_begin below decides how each transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front: a read-then-write transaction can
        # then never fail half-way with SQLITE_BUSY when another writer got in between.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _is_transient(error: DBAPIError) -> bool:
    """A deadlock, serialization failure or lock timeout: running again may succeed."""
    original = error.orig
    sqlstate = getattr(original, "sqlstate", None)  # psycopg
    if sqlstate in ("40001", "40P01"):
        return True
    code = original.args[0] if original is not None and original.args else None
    if code in (1205, 1213):  # MariaDB/MySQL lock wait timeout, deadlock
        return True
    return "database is locked" in str(original)


def run_transaction(
    engine: Engine, work: Callable[[Session], T], *, retry_conflicts: bool = False
) -> T:
    """Run ``work`` in one session and commit; retry it on deadlocks and similar races.

    With ``retry_conflicts`` a unique-constraint violation is retried too: the
    caller's ``work`` must then read before it writes (an upsert racing another),
    so that the next attempt sees the row the other transaction committed.
    """
    backoff = Backoff(0.01, 0.1)  # a few ms: the other transaction is about to finish
    for attempt in range(1, ATTEMPTS + 1):
        with Session(engine, expire_on_commit=False) as session:
            try:
                result = work(session)
                session.commit()
                return result
            except IntegrityError:
                session.rollback()
                if not retry_conflicts or attempt == ATTEMPTS:
                    raise
            except DBAPIError as error:
                session.rollback()
                if not _is_transient(error) or attempt == ATTEMPTS:
                    raise
        backoff.wait_blocking()
    raise AssertionError("unreachable")
