"""The services a command handler may use, passed in (never imported globally)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Config
    from bot.directory import MaintainerDirectory
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
