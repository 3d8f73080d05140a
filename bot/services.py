"""The services a command handler may use, passed in (never imported globally)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.metrics import Metrics
from bot.repos import RepoReader

if TYPE_CHECKING:
    from bot.classic import ClassicWebServices
    from bot.config import Config
    from bot.directory import MaintainerDirectory
    from bot.front import FrontProbe
    from bot.linking import LinkDesk
    from bot.log_follow import LogFollows
    from bot.long_answers import LongAnswers
    from bot.store import Store
    from bot.toolforge import ToolforgeClient


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    toolforge: ToolforgeClient
    store: Store
    directory: MaintainerDirectory
    config: Config
    clock: Callable[[], datetime] = utcnow
    # Waiting for the world to move on (a restarted job to settle); tests pass the
    # sandbox's clock instead, so simulated time passes without real waiting.
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    repos: RepoReader = field(default_factory=RepoReader)
    links: LinkDesk | None = None  # self-service linking, when configured and served
    # The tools' web front (diagnose, status) and their classic web services.
    front: FrontProbe | None = None
    classic: ClassicWebServices | None = None
    metrics: Metrics = field(default_factory=Metrics)  # what /metrics shows
    # Tells this process's announcement dispatcher that deliveries were queued (when one runs).
    outbox_wake: Callable[[], None] | None = None
    follows: LogFollows | None = None  # logs --follow, set by the core
    answers: LongAnswers | None = None  # long answers' pages and ``more``, set by the core
