"""Confirmations remember what must still hold when their code is used.

A code is stale when the action it described would now be different; the
description alone cannot tell (a migration that went one step back and
forward describes the same step, but the code was given for the earlier
pass). ``binding`` is a digest of that state.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "pending_confirmation",
        sa.Column("binding", sa.String(64), nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_column("pending_confirmation", "binding")
