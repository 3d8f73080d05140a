"""The initial schema: links, audit, confirmations, conversations, announcements, deliveries.

Revision ID: 0001
Revises:
Create Date: 2025-01-01

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.store.migrations.columns import UTC_DATETIME, key, table_options

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    options = table_options()
    op.create_table(
        "identity_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_key", key(), nullable=False),
        sa.Column("account", key(), nullable=False),
        sa.Column("created_by", key(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_identity_link"),
        sa.UniqueConstraint("chat_key", name="uq_identity_link_chat_key"),
        **options,
    )
    op.create_index("ix_identity_link_account", "identity_link", ["account"])

    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.Column("actor_account", key(), nullable=True),
        sa.Column("chat_key", key(), nullable=False),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("tool", key(), nullable=True),
        sa.Column("target", key(), nullable=True),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_event"),
        **options,
    )
    op.create_index("ix_audit_event_at", "audit_event", ["at"])
    op.create_index("ix_audit_event_tool_at", "audit_event", ["tool", "at"])

    op.create_table(
        "pending_confirmation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("chat_key", key(), nullable=False),
        sa.Column("command", sa.String(64), nullable=False),
        sa.Column("arguments", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("expires_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_pending_confirmation"),
        sa.UniqueConstraint("chat_key", "code", name="uq_pending_confirmation_chat_key_code"),
        **options,
    )
    op.create_index("ix_pending_confirmation_expires_at", "pending_confirmation", ["expires_at"])

    op.create_table(
        "conversation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_key", key(), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("tool", key(), nullable=True),
        sa.Column("step", sa.String(64), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_conversation"),
        sa.UniqueConstraint("chat_key", "kind", name="uq_conversation_chat_key_kind"),
        **options,
    )

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


def downgrade() -> None:
    op.drop_table("delivery")
    op.drop_table("announcement")
    op.drop_table("conversation")
    op.drop_table("pending_confirmation")
    op.drop_table("audit_event")
    op.drop_table("identity_link")
