"""Alembic environment for forgebot's store.

Run through ``bot.store.migrate`` (``Store.migrate()``), which hands over an open
connection; there is no alembic.ini. Offline mode (``--sql``) renders DDL for
the URL in the ``sqlalchemy.url`` option, for a DBA who applies scripts by hand.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from bot.store.models import StoreTable

config = context.config
target_metadata = StoreTable.metadata


def run_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through bot.store.migrate: it passes a connection")
    run_online(connection)
