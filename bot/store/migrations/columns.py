"""Column types and table options every revision writes its tables with.

The revisions are frozen records of the schema, so what they share must not
change either: a new need gets a new name here, never a changed one.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

# Naive UTC with microseconds (MariaDB's DATETIME defaults to whole seconds).
UTC_DATETIME = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")

KEY_LENGTH = 255


def key() -> sa.String:
    """A chat key, account, tool or destination: short text compared exactly."""
    return sa.String(KEY_LENGTH)


def table_options() -> dict[str, Any]:
    """utf8mb4 and a binary collation on MariaDB/MySQL.

    The server default (utf8mb4_general_ci) would treat ``irc:Alice``,
    ``irc:alice`` and ``irc:alicé`` as one chat key; SQLite and PostgreSQL compare
    exactly, and so must MariaDB. NO PAD also keeps ``"x "`` distinct from ``"x"``.
    """
    dialect = op.get_bind().dialect
    if dialect.name not in ("mysql", "mariadb"):
        return {}
    collation = "utf8mb4_nopad_bin" if getattr(dialect, "is_mariadb", False) else "utf8mb4_bin"
    return {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": collation}
