"""Links remember how they were made; one-time link URLs; IRC chat keys case-folded.

- ``identity_link.method``: ``login`` (the person's own OIDC login) or
  ``admin``; every link before this revision was made by an admin.
- ``link_request``: the pending self-service links.
- IRC services accounts are compared with the network's casemapping, so
  ``irc:`` chat keys are stored case-folded (rfc1459). Where two rows now
  collide, the one already in folded form is kept; pending confirmations
  under an unfolded key (minutes old at most) are dropped.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.store.migrations.columns import UTC_DATETIME, key, table_options

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_RFC1459 = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ[]\\~", "abcdefghijklmnopqrstuvwxyz{}|^")


def upgrade() -> None:
    with op.batch_alter_table("identity_link") as batch:
        batch.add_column(
            sa.Column("method", sa.String(16), nullable=False, server_default="admin")
        )
    op.create_table(
        "link_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_digest", sa.String(64), nullable=False),
        sa.Column("state_digest", sa.String(64), nullable=True),
        sa.Column("chat_key", key(), nullable=False),
        sa.Column("destination", key(), nullable=False),
        sa.Column("expected_account", key(), nullable=True),
        sa.Column("nonce", sa.String(64), nullable=False),
        sa.Column("code_verifier", sa.String(128), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("expires_at", UTC_DATETIME, nullable=False),
        sa.Column("started_at", UTC_DATETIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_link_request"),
        sa.UniqueConstraint("token_digest", name="uq_link_request_token_digest"),
        sa.UniqueConstraint("state_digest", name="uq_link_request_state_digest"),
        **table_options(),
    )
    op.create_index("ix_link_request_expires_at", "link_request", ["expires_at"])
    _fold_irc_keys()


def _fold_irc_keys() -> None:
    bind = op.get_bind()
    # (table, the columns that make a row unique with chat_key); None: drop, don't fold.
    tables: tuple[tuple[str, tuple[str, ...] | None], ...] = (
        ("identity_link", ()),
        ("conversation", ("kind",)),
        ("pending_confirmation", None),
    )
    for table, scope in tables:
        columns = ", ".join(("id", "chat_key", *(scope or ())))
        rows = bind.execute(
            sa.text(f"SELECT {columns} FROM {table} WHERE chat_key LIKE 'irc:%'")
        ).all()
        taken = {(row.chat_key, *(getattr(row, c) for c in scope or ())) for row in rows}
        for row in rows:
            folded = "irc:" + row.chat_key[4:].translate(_RFC1459)
            if folded == row.chat_key:
                continue
            key = (folded, *(getattr(row, c) for c in scope or ()))
            if scope is None or key in taken:
                bind.execute(sa.text(f"DELETE FROM {table} WHERE id = :id"), {"id": row.id})
            else:
                bind.execute(
                    sa.text(f"UPDATE {table} SET chat_key = :key WHERE id = :id"),
                    {"key": folded, "id": row.id},
                )
                taken.add(key)


def downgrade() -> None:
    op.drop_index("ix_link_request_expires_at", table_name="link_request")
    op.drop_table("link_request")
    with op.batch_alter_table("identity_link") as batch:
        batch.drop_column("method")
