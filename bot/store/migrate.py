"""Apply the alembic migrations shipped inside this package, without an alembic.ini.

alembic is imported only when the schema is not at :data:`HEAD` already (a
read of ``alembic_version`` says so), which is every start but the first.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
HEAD = "0005"  # the newest revision in migrations/versions (a test holds it to alembic's)


def alembic_config(connection: Connection | None = None) -> Config:
    """A Config pointing at ``bot/store/migrations``, bound to ``connection`` if given."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The schema's revision, read without alembic (``None``: no schema yet)."""
    with engine.connect() as connection:
        try:
            found = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except DBAPIError:
            return None
    return None if found is None else str(found)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision``; a no-op when it is already there."""
    if revision == "head" and current_revision(engine) == HEAD:
        return
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema down to ``revision`` (``"base"``: no tables at all). Loses data."""
    from alembic import command

    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)
