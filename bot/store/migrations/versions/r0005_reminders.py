"""Reminders are deliveries too: a ``purpose`` per delivery row.

The first message of an announcement to a recipient is ``announce``; the
reminders to those who have not acknowledged are ``reminder-1``,
``reminder-2`` ... and the one shortly before a maintenance window is
``window``. They go through the same outbox (claimed, sent once, retried,
recovered after a crash), so the unique key of a delivery gains the purpose.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KEY = "uq_delivery_announcement_id_recipient_destination"
NEW_KEY = "uq_delivery_announcement_id_recipient_destination_purpose"


def upgrade() -> None:
    # The new key first: on MariaDB the old one is the index the announcement_id
    # foreign key stands on, and cannot go while it is the only one.
    with op.batch_alter_table("delivery") as batch:
        batch.add_column(
            sa.Column("purpose", sa.String(16), nullable=False, server_default="announce")
        )
        batch.create_unique_constraint(
            NEW_KEY, ["announcement_id", "recipient", "destination", "purpose"]
        )
    with op.batch_alter_table("delivery") as batch:
        batch.drop_constraint(OLD_KEY, type_="unique")


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM delivery WHERE purpose <> 'announce'"))
    with op.batch_alter_table("delivery") as batch:
        batch.create_unique_constraint(OLD_KEY, ["announcement_id", "recipient", "destination"])
    with op.batch_alter_table("delivery") as batch:
        batch.drop_constraint(NEW_KEY, type_="unique")
        batch.drop_column("purpose")
