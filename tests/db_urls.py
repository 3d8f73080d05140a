"""Database URLs for tests: SQLite always, MariaDB and PostgreSQL when configured.

Set ``FORGEBOT_TEST_MARIADB_URL`` (e.g. ``mysql+pymysql://root@127.0.0.1:3306/test``)
and/or ``FORGEBOT_TEST_POSTGRES_URL`` (e.g.
``postgresql+psycopg://postgres@127.0.0.1:5432/test``) to run the store tests
against those servers too. ``fresh_database`` makes a uniquely named database
(MariaDB) or schema (PostgreSQL), dropped afterwards, so runs can overlap;
``empty_tables`` resets one between tests that share it.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from _pytest.mark import ParameterSet
from sqlalchemy import Engine, MetaData, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

MARIADB_ENV = "FORGEBOT_TEST_MARIADB_URL"
POSTGRES_ENV = "FORGEBOT_TEST_POSTGRES_URL"
EXAMPLES = {
    MARIADB_ENV: "mysql+pymysql://root@127.0.0.1:3306/test",
    POSTGRES_ENV: "postgresql+psycopg://postgres@127.0.0.1:5432/test",
}


def _server(env: str) -> ParameterSet:
    backend = "mariadb" if env == MARIADB_ENV else "postgres"
    missing = not os.environ.get(env)
    return pytest.param(
        backend,
        id=backend,
        marks=[
            pytest.mark.db,
            pytest.mark.skipif(missing, reason=f"{backend}: set {env}, e.g. {EXAMPLES[env]}"),
        ],
    )


def backend_params() -> list[ParameterSet]:
    """``sqlite``, ``mariadb``, ``postgres`` as pytest params; the servers skip unless set."""
    return [pytest.param("sqlite", id="sqlite"), _server(MARIADB_ENV), _server(POSTGRES_ENV)]


def _url(url: URL) -> str:
    return url.render_as_string(hide_password=False)


@contextmanager
def fresh_database(backend: str, tmp_path: Path) -> Iterator[str]:
    """A URL for an empty database nobody else uses; it is dropped on exit."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'forgebot.sqlite3'}"
        return
    env = MARIADB_ENV if backend == "mariadb" else POSTGRES_ENV
    server = make_url(os.environ[env])
    name = f"forgebot_test_{secrets.token_hex(6)}"
    admin = create_engine(server, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        if backend == "mariadb":
            # The server's lenient default collation, as on ToolsDB: the migration
            # must make key columns exact by itself.
            create = f"CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci"
            drop = f"DROP DATABASE IF EXISTS {name}"
            isolated = server.set(database=name)
        else:
            create, drop = f"CREATE SCHEMA {name}", f"DROP SCHEMA IF EXISTS {name} CASCADE"
            isolated = server.update_query_dict({"options": f"-csearch_path={name}"})
        with admin.connect() as connection:
            connection.execute(text(create))
        try:
            yield _url(isolated)
        finally:
            with admin.connect() as connection:
                connection.execute(text(drop))
    finally:
        admin.dispose()


def empty_tables(engine: Engine, metadata: MetaData) -> None:
    """Delete every row of ``metadata``'s tables, children before parents."""
    with engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())
