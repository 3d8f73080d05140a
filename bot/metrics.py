"""What the running bot counts, for Prometheus to scrape at ``/metrics``.

One :class:`Metrics` per bot, on its own registry (never the process-wide
default), so that several bots in one process (the tests) count apart. The
labels take only bounded values: declared command paths, the result words
of the pipeline, Toolforge service names and HTTP status codes, platforms.
Chat connection state and outbox depth are read when scraped, from the
adapters themselves, so they cannot drift from what the adapters know.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sized
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from bot.adapter import Adapter

log = logging.getLogger(__name__)
CONTENT_TYPE = CONTENT_TYPE_LATEST
# A command waits on the Toolforge API (10 s timeout) and a database; a restart
# that follows its job may take tens of seconds.
COMMAND_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
API_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.commands = Counter(
            "forgebot_commands", "Commands run, by command and result (ok; failed; refused; "
            "invalid; confirm: a code was asked for; error: an internal error)",
            ["command", "result"], registry=registry,
        )  # fmt: skip
        self.command_seconds = Histogram(
            "forgebot_command_duration_seconds", "Time from a command's start to its reply",
            ["command"], buckets=COMMAND_BUCKETS, registry=registry,
        )  # fmt: skip
        self.toolforge_requests = Counter(
            "forgebot_toolforge_requests", "Toolforge API calls, by service and HTTP status "
            "('error': no answer: refused, timed out, broken off)",
            ["service", "status"], registry=registry,
        )  # fmt: skip
        self.toolforge_seconds = Histogram(
            "forgebot_toolforge_request_duration_seconds", "Toolforge API call latency",
            ["service"], buckets=API_BUCKETS, registry=registry,
        )  # fmt: skip
        self.refusals = Counter(
            "forgebot_rate_limit_refusals", "Commands refused by a rate limit, by platform and "
            "limit (commands: too many commands; wrong_codes: confirm locked)",
            ["platform", "limit"], registry=registry,
        )  # fmt: skip
        self.announcement_outbox = Gauge(
            "forgebot_announcement_outbox_depth", "Announcement deliveries still to send "
            "(pending or being sent), by platform; read from the database when scraped",
            ["platform"], registry=registry,
        )  # fmt: skip
        self._chat = _ChatCollector()
        registry.register(self._chat)
        self._before_scrape: list[Callable[[], Awaitable[None]]] = []
        ProcessCollector(registry=registry)  # memory, CPU, open files of the process

    def command_done(self, command: str, result: str, seconds: float) -> None:
        self.commands.labels(command, result).inc()
        self.command_seconds.labels(command).observe(seconds)

    def toolforge_call(self, service: str, status: str, seconds: float) -> None:
        self.toolforge_requests.labels(service, status).inc()
        self.toolforge_seconds.labels(service).observe(seconds)

    def refused(self, platform: str, limit: str) -> None:
        self.refusals.labels(platform, limit).inc()

    def watch_chat(self, adapters: Callable[[], Iterable[Adapter]]) -> None:
        """Report the connection state and outbox depth of whatever ``adapters`` returns."""
        self._chat.adapters = adapters

    def before_scrape(self, refresh: Callable[[], Awaitable[None]]) -> None:
        """Run ``refresh`` before each scrape: for what only an await can read (the database)."""
        self._before_scrape.append(refresh)

    def watch_outbox(self, depth: Callable[[], Awaitable[dict[str, int]]]) -> None:
        """Report the announcement outbox's depth per platform, as ``depth`` reads it."""

        async def refresh() -> None:
            found = await depth()
            self.announcement_outbox.clear()
            for platform, count in found.items():
                self.announcement_outbox.labels(platform).set(count)

        self.before_scrape(refresh)

    async def scrape(self) -> bytes:
        """The Prometheus text format of everything counted, refreshed first."""
        for refresh in self._before_scrape:
            try:
                await refresh()
            except Exception as error:  # the rest is still worth serving
                log.warning("metrics: a value read when scraped could not be read: %r", error)
        return self.exposition()

    def exposition(self) -> bytes:
        """The Prometheus text format of everything counted, as it stands."""
        return generate_latest(self.registry)


class _ChatCollector(Collector):
    def __init__(self) -> None:
        self.adapters: Callable[[], Iterable[Adapter]] = tuple

    def collect(self) -> Iterator[Metric]:
        connected = GaugeMetricFamily(
            "forgebot_chat_connected",
            "1 while the chat connection is up (on IRC: and in every configured channel)",
            labels=["adapter"],
        )
        depth = GaugeMetricFamily(
            "forgebot_outbox_depth",
            "Reply lines waiting to be sent (flood control, or no connection)",
            labels=["adapter"],
        )
        for adapter in self.adapters():
            connected.add_metric([adapter.platform], 1.0 if adapter.ready.is_set() else 0.0)
            outbox = getattr(adapter, "outbox", None)
            if isinstance(outbox, Sized):
                depth.add_metric([adapter.platform], float(len(outbox)))
        yield connected
        yield depth

    def describe(self) -> Iterator[Metric]:
        # Without this, registering would call collect() before any adapter exists.
        return iter(())
