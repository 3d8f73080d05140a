"""Store fixtures shared by the store's test modules (import them into a test module).

``store`` is a migrated store on a database shared by the session per backend
(SQLite, and MariaDB/PostgreSQL when configured), emptied before each test.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from bot.store import Store
from bot.store.models import StoreTable
from tests.db_urls import backend_params, empty_tables, fresh_database


@pytest.fixture(scope="session", params=backend_params())
def shared_db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """One database per backend for the session; ``store`` empties it before each test."""
    with fresh_database(request.param, tmp_path_factory.mktemp(request.param)) as url:
        yield url


@pytest.fixture
async def store(shared_db_url: str) -> AsyncIterator[Store]:
    store = await Store.open(shared_db_url)
    await asyncio.to_thread(empty_tables, store.engine, StoreTable.metadata)
    yield store
    await store.close()
