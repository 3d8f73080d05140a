"""Announcements as campaigns: title, severity, window, audience; an outbox of deliveries.

The 0001 tables ``announcement`` and ``delivery`` were never written by any
command (``announce`` did not exist), so they are dropped and made again in
their new shape rather than altered column by column:

- ``announcement``: title, body, severity, link, maintenance window, audience
  in words, when it was created, when its fan-out ended, when (and by whom)
  it was cancelled.
- ``delivery``: one row per (announcement, recipient, destination), claimed
  by a dispatcher (``claimed_by``/``claimed_at``), retried after
  ``not_before``, acknowledged (``acked_at``) and reminded.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04

"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from bot.store.migrations.columns import KEY_LENGTH, UTC_DATETIME, key, table_options

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, nullable: bool = True) -> sa.Column[Any]:
    return sa.Column(name, UTC_DATETIME, nullable=nullable)


def upgrade() -> None:
    op.drop_table("delivery")
    op.drop_table("announcement")
    options = table_options()
    op.create_table(
        "announcement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("author", key(), nullable=False),
        sa.Column("title", sa.String(KEY_LENGTH), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("link", sa.Text(), nullable=True),
        _when("window_start"),
        _when("window_end"),
        sa.Column("audience", sa.Text(), nullable=False),
        _when("created_at", nullable=False),
        _when("sent_at"),
        _when("cancelled_at"),
        sa.Column("cancelled_by", key(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_announcement"),
        **options,
    )
    op.create_index("ix_announcement_created_at", "announcement", ["created_at"])
    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.Column("recipient", key(), nullable=False),
        sa.Column("destination", key(), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("tools", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        _when("not_before"),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        _when("claimed_at"),
        _when("sent_at"),
        _when("acked_at"),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        _when("last_reminded_at"),
        sa.PrimaryKeyConstraint("id", name="pk_delivery"),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcement.id"],
            name="fk_delivery_announcement_id_announcement",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "announcement_id",
            "recipient",
            "destination",
            name="uq_delivery_announcement_id_recipient_destination",
        ),
        **options,
    )
    op.create_index("ix_delivery_claim", "delivery", ["status", "platform", "not_before"])


def downgrade() -> None:
    op.drop_table("delivery")
    op.drop_table("announcement")
    options = table_options()
    op.create_table(
        "announcement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("author", key(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_announcement"),
        **options,
    )
    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.Column("destination", key(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("sent_at", UTC_DATETIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_delivery"),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcement.id"],
            name="fk_delivery_announcement_id_announcement",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "announcement_id", "destination", name="uq_delivery_announcement_id_destination"
        ),
        **options,
    )
    op.create_index("ix_delivery_status", "delivery", ["status"])
