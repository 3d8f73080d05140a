"""Shared fixtures: a running Toolforge sandbox and bots wired to it over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.app import SANDBOX_DATA, toolforge_client
from bot.config import Config, ToolforgeSettings
from bot.core import Bot
from bot.directory import FileDirectory
from bot.registry import CommandRegistry
from bot.services import Services
from bot.store import Store
from bot.toolforge.sandbox import Sandbox
from commands import all_commands

MakeBot = Callable[..., Awaitable[Bot]]


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    box = Sandbox(SANDBOX_DATA)
    await box.start()
    try:
        yield box
    finally:
        await box.stop()


@pytest.fixture
async def make_bot(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[MakeBot]:
    """``await make_bot(**changes)``: a Bot on a fresh SQLite store, talking to the sandbox."""
    opened: list[Services] = []

    async def make(**changes: Any) -> Bot:
        timeout = changes.pop("timeout", 5.0)
        config = Config(
            data_dir=tmp_path,
            database_url=f"sqlite:///{tmp_path / f'bot{len(opened)}.sqlite3'}",
            toolforge=ToolforgeSettings(url=sandbox.base_url, timeout=timeout),
            directory_file=SANDBOX_DATA,
            admins=("root-sre",),
        ).with_changes(**changes)
        services = Services(
            toolforge=toolforge_client(config),
            store=await Store.open(config.storage_url),
            directory=FileDirectory(config.directory_file or SANDBOX_DATA),
            config=config,
        )
        opened.append(services)
        return Bot(config, services, CommandRegistry(all_commands()))

    yield make
    for services in opened:
        await services.toolforge.aclose()
        await services.store.close()


@pytest.fixture
async def bot(make_bot: MakeBot) -> Bot:
    return await make_bot()
