"""The rows forgebot keeps: identity links, audit, confirmations, conversations, outbox.

These classes describe the schema for the ORM; the schema itself is created
and changed only by the alembic migrations in ``bot/store/migrations``. A test
checks that the two agree on every backend.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect, Index, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import registry
from sqlalchemy.types import TypeDecorator, TypeEngine
from sqlmodel import Field, SQLModel

KEY = 255  # chat keys, accounts, tool names, destinations: indexable on MariaDB
SHORT = 64


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime, stored as naive UTC with microseconds.

    MariaDB's DATETIME keeps no zone, so every backend gets the same naive-UTC
    column and the zone is put back on read. Naive input is refused: it is
    ambiguous, and silently guessing would shift times by the host's offset.
    """

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name in ("mysql", "mariadb"):
            # that dialect is loaded already; a bot on SQLite never loads it (0.8 MiB)
            from sqlalchemy.dialects import mysql

            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return as_utc(value).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def as_utc(value: datetime) -> datetime:
    """``value`` in UTC; raises ``ValueError`` for a naive datetime."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value.isoformat()}: pass an aware (UTC) datetime")
    return value.astimezone(UTC)


def as_utc_or_now(value: datetime | None) -> datetime:
    """``value`` in UTC, or the current time when it is ``None`` (the store's ``now=``)."""
    return datetime.now(UTC) if value is None else as_utc(value)


def _key(**kwargs: Any) -> Any:
    return Field(sa_type=String(KEY), **kwargs)


def _short(**kwargs: Any) -> Any:
    return Field(sa_type=String(SHORT), **kwargs)


def _when(**kwargs: Any) -> Any:
    return Field(sa_type=UTCDateTime(), **kwargs)


# Deterministic constraint names, spelled out the same way in the migrations.
NAMING_CONVENTION = {
    "pk": "pk_%(table_name)s",
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
}


class StoreTable(
    SQLModel, registry=registry(metadata=MetaData(naming_convention=NAMING_CONVENTION))
):
    """Base of forgebot's tables, with a metadata of their own (not SQLModel's global one)."""


# How a link was established: the person's own login (OIDC), or an admin.
LINK_METHODS = ("login", "admin")


class IdentityLink(StoreTable, table=True):
    """A verified chat identity (``platform:user_id``) linked to a developer account."""

    __tablename__ = "identity_link"

    id: int | None = Field(default=None, primary_key=True)
    chat_key: str = _key(unique=True)
    account: str = _key(index=True)
    created_by: str = _key()
    created_at: datetime = _when()
    method: str = Field(
        default="admin", sa_type=String(16), sa_column_kwargs={"server_default": "admin"}
    )


class LinkRequest(StoreTable, table=True):
    """A one-time link URL given to a chat identity, until its login ends or it expires.

    Only digests of the URL token and of the OIDC ``state`` are kept, so a
    read of the table opens no link. ``started_at`` is set when the login
    begins: from then on the URL is spent, and only the ``state`` finds it.
    """

    __tablename__ = "link_request"

    id: int | None = Field(default=None, primary_key=True)
    token_digest: str = Field(sa_type=String(SHORT), unique=True)
    state_digest: str | None = Field(default=None, sa_type=String(SHORT), unique=True)
    chat_key: str = _key()
    destination: str = _key()  # where that platform delivers the confirmation
    expected_account: str | None = _key(default=None, nullable=True)
    nonce: str = Field(default="", sa_type=String(SHORT))
    code_verifier: str = Field(default="", sa_type=String(128))
    created_at: datetime = _when()
    expires_at: datetime = _when(index=True)
    started_at: datetime | None = _when(default=None, nullable=True)


class AuditEvent(StoreTable, table=True):
    """One action that changed (or tried to change) something, and how it ended."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_tool_at", "tool", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _when(index=True)
    actor_account: str | None = _key(default=None, nullable=True)
    chat_key: str = _key()
    platform: str = Field(sa_type=String(32))
    action: str = _short()
    tool: str | None = _key(default=None, nullable=True)
    target: str | None = _key(default=None, nullable=True)
    result: str = Field(sa_type=Text())
    detail: str = Field(default="", sa_type=Text())


class PendingConfirmation(StoreTable, table=True):
    """A destructive command waiting for its speaker to repeat the code."""

    __tablename__ = "pending_confirmation"
    __table_args__ = (UniqueConstraint("chat_key", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_type=String(16))
    chat_key: str = _key()
    command: str = _short()
    arguments: str = Field(default="{}", sa_type=Text())  # JSON object
    description: str = Field(default="", sa_type=Text())
    binding: str = Field(default="", sa_type=String(SHORT), sa_column_kwargs={"server_default": ""})
    created_at: datetime = _when()
    expires_at: datetime = _when(index=True)

    def load_arguments(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.arguments)
        return loaded


class Conversation(StoreTable, table=True):
    """Where a multi-step dialogue (the migration wizard) stands, per chat identity."""

    __tablename__ = "conversation"
    __table_args__ = (UniqueConstraint("chat_key", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_key: str = _key()
    kind: str = _short()
    tool: str | None = _key(default=None, nullable=True)
    step: str = _short()
    state: str = Field(default="{}", sa_type=Text())  # JSON object
    updated_at: datetime = _when()

    def load_state(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.state)
        return loaded


SEVERITIES = ("info", "maintenance", "incident", "deprecation")
DELIVERY_KINDS = ("channel", "dm", "email", "none")
DELIVERY_STATUSES = ("pending", "claimed", "sent", "failed", "unreachable", "cancelled")
#: Statuses a delivery never leaves: nothing more will be sent for it.
FINAL_STATUSES = ("sent", "failed", "unreachable", "cancelled")


class Announcement(StoreTable, table=True):
    """A message an SRE sends to channels and to the maintainers of affected tools.

    ``sent_at`` is set when the fan-out is over (no delivery pending or claimed
    any more); ``cancelled_at`` when an admin cancelled it (what was not sent
    yet never will be). A maintenance window is ``window_start``..``window_end``.
    """

    __tablename__ = "announcement"

    id: int | None = Field(default=None, primary_key=True)
    author: str = _key()
    title: str = _key()
    body: str = Field(sa_type=Text())
    severity: str = Field(default="info", sa_type=String(16))
    link: str | None = Field(default=None, sa_type=Text(), nullable=True)
    window_start: datetime | None = _when(default=None, nullable=True)
    window_end: datetime | None = _when(default=None, nullable=True)
    audience: str = Field(default="", sa_type=Text())  # how the recipients were chosen, in words
    created_at: datetime = _when(index=True)
    sent_at: datetime | None = _when(default=None, nullable=True)
    cancelled_at: datetime | None = _when(default=None, nullable=True)
    cancelled_by: str | None = _key(default=None, nullable=True)


class Delivery(StoreTable, table=True):
    """One announcement to one recipient at one destination: the outbox row.

    ``recipient`` is a developer account for a person (``kind`` ``dm``,
    ``email`` or ``none``) and the destination itself for a channel post.
    ``destination`` is ``<platform>:<address>``: a chat key for a direct
    message (``irc:alice``, ``zulip:12``, ``slack:T1:U2``), a channel
    (``irc:#wikimedia-cloud``, ``zulip:stream:cloud>maintenance``,
    ``slack:C0123``), ``email:<address>``, or ``none:`` for a person nobody
    can reach (status ``unreachable`` from the start). ``tools`` is the JSON
    list of the tools that make this person a recipient. ``purpose`` says which
    message it is: the announcement itself (``announce``), a reminder to one who
    has not acknowledged (``reminder-1``, ``reminder-2`` ...) or the one shortly
    before the window (``window``); reminders go through the outbox like the rest.
    """

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("announcement_id", "recipient", "destination", "purpose"),
        Index("ix_delivery_claim", "status", "platform", "not_before"),
    )

    id: int | None = Field(default=None, primary_key=True)
    announcement_id: int = Field(foreign_key="announcement.id", ondelete="CASCADE")
    recipient: str = _key()
    destination: str = _key()
    platform: str = Field(sa_type=String(16))
    kind: str = Field(sa_type=String(16))
    tools: str = Field(default="[]", sa_type=Text())  # JSON list of tool names
    status: str = Field(default="pending", sa_type=String(16))
    attempts: int = Field(default=0)
    last_error: str = Field(default="", sa_type=Text())
    not_before: datetime | None = _when(default=None, nullable=True)  # a retry's backoff
    claimed_by: str | None = Field(default=None, sa_type=String(SHORT), nullable=True)
    claimed_at: datetime | None = _when(default=None, nullable=True)
    sent_at: datetime | None = _when(default=None, nullable=True)
    acked_at: datetime | None = _when(default=None, nullable=True)
    reminders_sent: int = Field(default=0)
    last_reminded_at: datetime | None = _when(default=None, nullable=True)
    purpose: str = Field(
        default="announce", sa_type=String(16), sa_column_kwargs={"server_default": "announce"}
    )

    def tool_names(self) -> list[str]:
        loaded: list[str] = json.loads(self.tools)
        return loaded

    @property
    def address(self) -> str:
        """The destination without its platform: what that platform's adapter takes."""
        return self.destination.partition(":")[2]
