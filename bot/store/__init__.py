"""forgebot's storage: SQLite by default, MariaDB or PostgreSQL by URL, schema by alembic."""

from bot.store.announcements import AckOutcome, Period, Recipient, StatusCounts
from bot.store.engine import sqlite_url
from bot.store.identity_links import LinkConflict
from bot.store.models import (
    Announcement,
    AuditEvent,
    Conversation,
    Delivery,
    IdentityLink,
    LinkRequest,
    PendingConfirmation,
)
from bot.store.store import Store

__all__ = [
    "AckOutcome",
    "Announcement",
    "AuditEvent",
    "Conversation",
    "Delivery",
    "IdentityLink",
    "LinkConflict",
    "LinkRequest",
    "PendingConfirmation",
    "Period",
    "Recipient",
    "StatusCounts",
    "Store",
    "sqlite_url",
]
