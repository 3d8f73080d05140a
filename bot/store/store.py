"""The Store: forgebot's persistent state behind async methods.

Each public method runs one short transaction on a worker thread
(``asyncio.to_thread``), so the event loop never waits on the database; the
transaction bodies live in one module per noun (``links``, ``audit``,
``confirmations``, ``conversations``, ``outbox``). Times are aware datetimes
in (naive ones are refused) and aware UTC datetimes out.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlmodel import Session

from bot.chat_keys import normalise_chat_key
from bot.shared_reads import SharedReads
from bot.store import (
    audit_log,
    confirmations,
    conversations,
    identity_links,
    link_requests,
)
from bot.store.announcement_methods import AnnouncementMethods
from bot.store.bulletin_methods import BulletinMethods
from bot.store.engine import make_engine, run_transaction
from bot.store.migrate import upgrade
from bot.store.models import (
    AuditEvent,
    Conversation,
    IdentityLink,
    LinkRequest,
    PendingConfirmation,
    as_utc,
    as_utc_or_now,
)

T = TypeVar("T")


class Store(AnnouncementMethods, BulletinMethods):
    """Identity links, audit log, confirmations, conversations and the announcement outbox."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine = make_engine(url)
        self._shared_reads = SharedReads()

    @classmethod
    async def open(cls, url: str) -> Store:
        """A store whose schema is migrated to the newest revision."""
        store = cls(url)
        try:
            await store.migrate()
        except BaseException:
            await store.close()
            raise
        return store

    @property
    def engine(self) -> Engine:
        return self._engine

    async def migrate(self) -> None:
        """Apply pending alembic migrations (none pending: nothing happens)."""
        await asyncio.to_thread(upgrade, self._engine)

    async def close(self) -> None:
        await asyncio.to_thread(self._engine.dispose)

    async def _run(self, work: Callable[[Session], T], *, retry_conflicts: bool = False) -> T:
        return await asyncio.to_thread(
            run_transaction, self._engine, work, retry_conflicts=retry_conflicts
        )

    # identity links

    async def link_add(
        self,
        chat_key: str,
        account: str,
        created_by: str,
        *,
        method: str = "admin",
        replace: bool = False,
        now: datetime | None = None,
    ) -> IdentityLink:
        """Link ``chat_key`` to ``account``.

        Raises :class:`LinkConflict` when it is linked to another account and
        ``replace`` is not set; linking it again to the same account renews it.
        """
        key = identity_links.checked_chat_key(chat_key)
        at = as_utc_or_now(now)
        return await self._run(
            lambda session: identity_links.add(
                session, key, account, created_by, at, method, replace
            ),
            retry_conflicts=True,  # two adds raced to insert: the retry sees the winner
        )

    async def link_remove(self, chat_key: str) -> IdentityLink | None:
        """Remove the link of ``chat_key``; the link that was removed, if there was one."""
        key = normalise_chat_key(chat_key)
        return await self._run(lambda session: identity_links.remove(session, key))

    async def link_get(self, chat_key: str) -> IdentityLink | None:
        key = normalise_chat_key(chat_key)
        return await self._run(lambda session: identity_links.get(session, key))

    async def links(self, account: str | None = None) -> list[IdentityLink]:
        """All links, or those of one account, ordered by chat key."""
        return await self._run(lambda session: identity_links.listing(session, account))

    async def account_for(self, chat_key: str) -> str | None:
        """The developer account linked to exactly this chat key, if any."""
        link = await self.link_get(chat_key)
        return None if link is None else link.account

    # link requests (self-service linking)

    async def link_request_create(self, request: LinkRequest, *, now: datetime) -> None:
        """Store a pending link URL; an earlier one of the same chat identity stops working."""
        identity_links.checked_chat_key(request.chat_key)
        request.chat_key = normalise_chat_key(request.chat_key)
        at = as_utc(now)
        await self._run(lambda session: link_requests.create(session, request, at))

    async def link_request_peek(self, token_digest: str, *, now: datetime) -> LinkRequest | None:
        at = as_utc(now)
        return await self._run(lambda session: link_requests.peek(session, token_digest, at))

    async def link_request_start(
        self, token_digest: str, *, state_digest: str, nonce: str, code_verifier: str, now: datetime
    ) -> LinkRequest | None:
        """Spend a link URL (once) and bind it to a login's state."""
        at = as_utc(now)
        return await self._run(
            lambda session: link_requests.start(
                session, token_digest, state_digest, nonce, code_verifier, at
            )
        )

    async def link_request_finish(self, state_digest: str) -> LinkRequest | None:
        """The started request of a login's state, removed (once)."""
        return await self._run(lambda session: link_requests.finish(session, state_digest))

    # audit

    async def audit(
        self,
        *,
        actor_account: str | None,
        chat_key: str,
        platform: str,
        action: str,
        tool: str | None,
        target: str | None,
        result: str,
        detail: str = "",
        now: datetime | None = None,
    ) -> int:
        """Write one audit row; returns its id (see :meth:`audit_finish`).

        Every text is cut to its column, so no name a user typed (a 300-character
        tool name) can make the row fail to be written.
        """
        event = audit_log.clipped(
            AuditEvent(
                at=as_utc_or_now(now),
                actor_account=actor_account,
                chat_key=chat_key,
                platform=platform,
                action=action,
                tool=tool,
                target=target,
                result=result,
                detail=detail,
            )
        )

        def work(session: Session) -> int:
            session.add(event)
            session.flush()
            assert event.id is not None
            return event.id

        return await self._run(work)

    async def audit_finish(self, event_id: int, *, result: str, detail: str) -> None:
        """Record how an action whose intent row was written (result ``started``) ended."""
        await self._run(lambda session: audit_log.finish(session, event_id, result, detail))

    async def audit_events(self, tool: str | None = None, limit: int = 100) -> list[AuditEvent]:
        """The newest ``limit`` events, newest first, optionally for one tool."""
        return await self._run(lambda session: audit_log.events(session, tool, limit))

    # confirmations

    async def confirmation_create(
        self,
        *,
        chat_key: str,
        command: str,
        arguments: dict[str, Any],
        description: str,
        now: datetime,
        ttl_seconds: float,
        binding: str = "",
    ) -> str:
        """Remember a command awaiting confirmation; returns the code the speaker must repeat."""
        identity_links.checked_chat_key(chat_key)
        if ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be positive")
        created = as_utc(now)
        payload = json.dumps(arguments, sort_keys=True)

        def work(session: Session) -> str:
            pending = PendingConfirmation(
                code="",
                chat_key=chat_key,
                command=command,
                arguments=payload,
                description=description,
                binding=binding,
                created_at=created,
                expires_at=created + timedelta(seconds=ttl_seconds),
            )
            return confirmations.create(session, pending)

        # A conflict means a concurrent create drew the same code: draw again.
        return await self._run(work, retry_conflicts=True)

    async def confirmation_take(
        self, *, chat_key: str, code: str, now: datetime
    ) -> PendingConfirmation | None:
        """The live confirmation ``code`` of ``chat_key``, removed; ``None`` otherwise.

        One-shot even when several takes race: only one of them gets the row.
        Expired confirmations (of anyone) are purged on the way.
        """
        at = as_utc(now)
        return await self._run(lambda session: confirmations.take(session, chat_key, code, at))

    # conversations

    async def conversation_get(self, chat_key: str, kind: str) -> Conversation | None:
        return await self._run(lambda session: conversations.get(session, chat_key, kind))

    async def conversation_holders(self, kind: str) -> list[str]:
        """The chat keys that have a ``kind`` conversation (stale ones included)."""
        return await self._run(lambda session: conversations.holders(session, kind))

    async def conversation_put(
        self,
        chat_key: str,
        kind: str,
        *,
        tool: str | None,
        step: str,
        state: dict[str, Any],
        now: datetime,
    ) -> None:
        """Create or replace the ``kind`` conversation of ``chat_key``."""
        identity_links.checked_chat_key(chat_key)
        at = as_utc(now)
        payload = json.dumps(state, sort_keys=True)

        def work(session: Session) -> None:
            conversation = Conversation(
                chat_key=chat_key, kind=kind, tool=tool, step=step, state=payload, updated_at=at
            )
            conversations.put(session, conversation)

        await self._run(work, retry_conflicts=True)

    async def conversation_delete(self, chat_key: str, kind: str) -> bool:
        return await self._run(lambda session: conversations.remove(session, chat_key, kind))
