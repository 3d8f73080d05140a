"""The dispatcher: drains the announcement outbox in the running bot.

One lane per platform it can send on (each attached adapter, and ``email``
when SMTP is configured). A lane claims due deliveries of its platform and
keeps at most ``in_flight`` of them being sent at once; each one ends
``sent``, back to ``pending`` after a backoff (the platform was down, a 429),
or ``failed`` for good (refused for good, or too many attempts; a person none
of whose direct messages got through then gets mail instead). Claims are
renewed while they are being sent, claims of dead processes recovered, and
announcements whose fan-out ended settled.

Exactly once, as far as it can be: a delivery is marked sent right after the
platform took it. If the process dies between the two, the claim is
recovered after ``claim_timeout`` and that message is sent again; so at most
``in_flight`` deliveries per lane can be duplicated by a crash. Several
processes can run dispatchers on one database: claims never overlap (see
:mod:`bot.store.outbox`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.adapter import SendFailed
from bot.announce.message import announcement_reply, email_message
from bot.backoff import Backoff
from bot.bulletin.reminders import is_reminder, reminder_email, reminder_reply
from bot.bulletin.view import AnnouncementView
from bot.store import Announcement, Delivery, Store

if TYPE_CHECKING:
    from bot.adapter import Adapter
    from bot.announce.email import EmailSender
    from bot.config import AnnounceSettings
    from bot.reply import Reply

log = logging.getLogger(__name__)


def worker_id() -> str:
    """This process, in claims: host, pid and a random part (a pid is reused after a restart)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass(frozen=True)
class Pacing:
    """How a dispatcher works the outbox (from ``[announce]``)."""

    in_flight: int = 8
    claim_timeout: float = 120.0
    retry_initial: float = 30.0
    retry_max: float = 1800.0
    max_attempts: int = 12
    poll: float = 5.0

    @classmethod
    def of(cls, settings: AnnounceSettings) -> Pacing:
        return cls(
            in_flight=settings.in_flight,
            claim_timeout=settings.claim_timeout_seconds,
            retry_initial=settings.retry_initial_seconds,
            retry_max=settings.retry_max_seconds,
            max_attempts=settings.max_attempts,
            poll=settings.poll_seconds,
        )


class Dispatcher:
    """Sends the outbox's deliveries through ``adapters`` (by platform) and ``email``."""

    def __init__(
        self,
        store: Store,
        adapters: Mapping[str, Adapter],
        *,
        email: EmailSender | None = None,
        pacing: Pacing = Pacing(),
        clock: Callable[[], datetime] | None = None,
        worker: str | None = None,
        mail_domain: str = "",
    ) -> None:
        self.store = store
        # A person whose every direct message failed for good gets <account>@<domain>.
        self.mail_domain = mail_domain if email is not None else ""
        self.adapters = adapters
        self.email = email
        self.pacing = pacing
        self.clock = clock or _utcnow
        self.worker = worker or worker_id()
        self._wake: dict[str, asyncio.Event] = {}
        self._announcements: dict[int, tuple[float, Announcement]] = {}
        self.sent = 0  # deliveries this dispatcher completed (for logs and benchmarks)

    def platforms(self) -> list[str]:
        return sorted([*self.adapters, *(["email"] if self.email is not None else [])])

    def wake(self) -> None:
        """New deliveries were queued: look now rather than at the next poll."""
        for event in self._wake.values():
            event.set()

    async def run(self) -> None:
        """Drain until cancelled."""
        platforms = self.platforms()
        self._wake = {p: asyncio.Event() for p in platforms}
        log.info("announcements: dispatcher %s on %s", self.worker, ", ".join(platforms))
        async with asyncio.TaskGroup() as group:
            group.create_task(self._housekeeping())
            for platform in platforms:
                group.create_task(self._lane(platform))

    async def _housekeeping(self) -> None:
        """Recover claims nobody renews, settle finished announcements."""
        timeout = self.pacing.claim_timeout
        while True:
            try:
                now = self.clock()
                recovered = await self.store.deliveries_recover(
                    stale_before=now - timedelta(seconds=timeout)
                )
                if recovered:
                    log.warning(
                        "announcements: %d deliveries whose sender stopped are due again "
                        "(each may reach its recipient twice)",
                        recovered,
                    )
                    self.wake()
                await self.store.announcements_settle(now=now)
            except Exception:
                log.exception("announcements: housekeeping failed; trying again")
            await asyncio.sleep(min(timeout / 3, self.pacing.poll * 2))

    def _ready(self, platform: str) -> asyncio.Event | None:
        adapter = self.adapters.get(platform)
        return adapter.ready if adapter is not None else None

    async def _lane(self, platform: str) -> None:
        wake = self._wake[platform]
        sending: dict[asyncio.Task[None], int] = {}
        renew_every = self.pacing.claim_timeout / 3
        loop = asyncio.get_running_loop()
        renewed = loop.time()
        try:
            while True:
                ready = self._ready(platform)
                free = self.pacing.in_flight - len(sending)
                claimed: list[Delivery] = []
                # Claims in batches of at least half the window (one transaction for
                # several rows), but never leave the lane idle.
                refill = free >= max(1, self.pacing.in_flight // 2) or not sending
                if free > 0 and refill and (ready is None or ready.is_set()):
                    try:
                        claimed = await self.store.deliveries_claim(
                            self.worker, {platform}, limit=free, now=self.clock()
                        )
                    except Exception:
                        log.exception("announcements: could not claim %s deliveries", platform)
                for delivery in claimed:
                    assert delivery.id is not None
                    sending[asyncio.create_task(self._deliver(delivery))] = delivery.id
                if loop.time() - renewed >= renew_every and sending:
                    renewed = loop.time()
                    with contextlib.suppress(Exception):
                        await self.store.deliveries_renew(
                            self.worker, list(sending.values()), now=self.clock()
                        )
                wake.clear()
                waiters: set[asyncio.Future[Any]] = set(sending)
                if len(sending) < self.pacing.in_flight:
                    waiters.add(asyncio.ensure_future(wake.wait()))
                    if ready is not None and not ready.is_set():
                        waiters.add(asyncio.ensure_future(ready.wait()))
                try:
                    done, _ = await asyncio.wait(
                        waiters, timeout=min(self.pacing.poll, renew_every),
                        return_when=asyncio.FIRST_COMPLETED,
                    )  # fmt: skip
                finally:
                    for waiter in waiters - set(sending):
                        waiter.cancel()  # the wake-up waits, done or not
                for task in done & set(sending):
                    sending.pop(task)  # type: ignore[call-overload]
        finally:
            for task in sending:
                task.cancel()

    async def _announcement(self, announcement_id: int) -> Announcement | None:
        """The announcement, read again at most every few seconds (to see a cancel)."""
        loop = asyncio.get_running_loop()
        cached = self._announcements.get(announcement_id)
        if cached is not None and loop.time() - cached[0] < 2.0:
            return cached[1]
        found = await self.store.announcement_get(announcement_id)
        if found is not None:
            self._announcements[announcement_id] = (loop.time(), found)
        return found

    async def _deliver(self, delivery: Delivery) -> None:
        assert delivery.id is not None
        try:
            announcement = await self._announcement(delivery.announcement_id)
            if announcement is None or announcement.cancelled_at is not None:
                await self.store.delivery_fail(
                    delivery.id, worker=self.worker, error="the announcement was cancelled",
                    retry_at=None, final="cancelled", now=self.clock(),
                )  # fmt: skip
                return
            if delivery.acked_at is not None and is_reminder(delivery.purpose, nudge_only=True):
                await self.store.delivery_fail(
                    delivery.id, worker=self.worker, retry_at=None, final="cancelled",
                    error="acknowledged before the reminder went out", now=self.clock(),
                )  # fmt: skip
                return
            await self._send(delivery, announcement)
        except SendFailed as failed:
            await self._failed(delivery, failed)
            return
        except Exception as error:
            log.exception("announcements: delivery %d to %s", delivery.id, delivery.destination)
            await self._failed(delivery, SendFailed(f"internal error: {error!r}"))
            return
        await self.store.delivery_complete(delivery.id, now=self.clock())
        self.sent += 1

    async def _send(self, delivery: Delivery, announcement: Announcement) -> None:
        tools = delivery.tool_names()
        if delivery.kind == "email":
            if self.email is None:
                raise SendFailed("no SMTP server is configured")
            if is_reminder(delivery.purpose):
                view = AnnouncementView.of(announcement)
                subject, text = reminder_email(view, delivery.purpose, tools, self.clock())
            else:
                subject, text = email_message(announcement, tools)
            await self.email.send(delivery.address, subject, text)
            return
        adapter = self.adapters.get(delivery.platform)
        if adapter is None:
            raise SendFailed(f"no {delivery.platform} adapter is running here")
        if delivery.kind == "channel":
            await adapter.send(delivery.address, self._reply(delivery, announcement, []))
        elif delivery.kind == "dm":
            await adapter.send_direct(delivery.address, self._reply(delivery, announcement, tools))
        else:
            raise SendFailed(f"a {delivery.kind} delivery cannot be sent", permanent=True)

    def _reply(self, delivery: Delivery, announcement: Announcement, tools: list[str]) -> Reply:
        """The announcement, or the reminder the delivery is (see bot.bulletin.reminders)."""
        if is_reminder(delivery.purpose):
            view = AnnouncementView.of(announcement)
            return reminder_reply(view, delivery.purpose, tools, self.clock(),
                                  platform=delivery.platform)  # fmt: skip
        return announcement_reply(announcement, tools=tools or None)

    async def _failed(self, delivery: Delivery, failed: SendFailed) -> None:
        assert delivery.id is not None
        attempts = delivery.attempts + 1
        retry_at: datetime | None = None
        if not failed.permanent and attempts < self.pacing.max_attempts:
            backoff = Backoff(
                self.pacing.retry_initial, self.pacing.retry_max, attempt=attempts - 1
            )
            delay = max(backoff.next(), failed.retry_after or 0.0)
            retry_at = self.clock() + timedelta(seconds=delay)
        log.warning("announcements: delivery %d to %s failed (attempt %d): %s%s",
                    delivery.id, delivery.destination, attempts, failed.sentence,
                    "" if retry_at is None else f"; again at {retry_at:%H:%M:%S}")  # fmt: skip
        try:
            recorded = await self.store.delivery_fail(
                delivery.id, worker=self.worker, error=failed.sentence, retry_at=retry_at,
                now=self.clock(),
            )  # fmt: skip
            if recorded and retry_at is None and delivery.kind == "dm" and self.mail_domain:
                delivery.last_error = failed.sentence
                address = f"email:{delivery.recipient}@{self.mail_domain}"
                if await self.store.delivery_fall_back(delivery, address):
                    log.info("announcements: %s gets mail instead", delivery.recipient)
                    self.wake()
        except Exception:
            # The claim stays; it is recovered after claim_timeout and tried again.
            log.exception("announcements: could not record the failure of delivery %d",
                          delivery.id)  # fmt: skip


def _utcnow() -> datetime:
    from bot.services import utcnow

    return utcnow()
