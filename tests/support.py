"""How tests and benchmarks set up a bot on the sandbox and run adapters (one place each)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.adapter import Adapter
from bot.app import SANDBOX_DATA
from bot.config import (
    BotSettings,
    Config,
    DirectorySettings,
    FrontSettings,
    GitLabSettings,
    KubernetesSettings,
    StorageSettings,
    ToolforgeSettings,
)


def require_programs(missing: list[str], what: str) -> None:
    """Skip a test whose servers are not installed, saying how to install them; under CI,
    where .ci/run installs them, their absence is a failure instead."""
    if not missing:
        return
    names = " ".join(missing)
    why = f"{what} need {names} (apt-get install {names})"
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {why}")
    pytest.skip(why)


# How long a test waits for something that takes milliseconds when the machine is idle:
# generous, so that a loaded machine slows a test down instead of failing it.
PATIENCE = 60.0


async def wait_until(
    condition: Callable[[], bool], what: str = "the condition", within: float = PATIENCE
) -> None:
    """Return as soon as ``condition()`` holds; fail saying ``what`` after ``within`` s.

    What tests wait with instead of a fixed sleep: it costs only the time the
    condition takes, and the bound is there to end a broken test, not to time one.
    """
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {within} s for {what}")
        await asyncio.sleep(0.01)


def sandbox_config(
    toolforge_url: str,
    data: Path,
    *,
    timeout: float = 5.0,
    database_url: str = "",
    gitlab: GitLabSettings | None = None,
    **sections: Any,
) -> Config:
    """A bot's configuration: SQLite in ``data`` (or ``database_url``), the sandbox's
    directory, ``root-sre`` as admin; ``sections`` replace whole tables."""
    config = Config(
        bot=BotSettings(admins=("root-sre",)),
        storage=StorageSettings(
            url=database_url or f"sqlite:///{data / 'forgebot.sqlite3'}", data_dir=data
        ),
        toolforge=ToolforgeSettings(url=toolforge_url, timeout=timeout),
        directory=DirectorySettings(file=SANDBOX_DATA),
        gitlab=gitlab or GitLabSettings(),
        kubernetes=KubernetesSettings(url=toolforge_url, timeout=timeout),
        front=FrontSettings(url=f"{toolforge_url}/front/{{tool}}/", timeout=timeout),
    )
    return config.replace(**sections) if sections else config


def sandbox_sleep(sandbox: Any) -> Callable[[float], Awaitable[None]]:
    """A bot's ``sleep`` for tests: waiting moves the sandbox's clock instead of the test's."""

    async def sleep(seconds: float) -> None:
        sandbox.advance(seconds)
        await asyncio.sleep(0)

    return sleep


@contextlib.asynccontextmanager
async def serving(adapter: Adapter, within: float = 10.0) -> AsyncIterator[None]:
    """``adapter`` running in the background, once it says it is ready; stopped on exit."""
    task = asyncio.create_task(adapter.run())
    try:
        ready = asyncio.ensure_future(adapter.ready.wait())
        done, _ = await asyncio.wait({ready, task}, timeout=within, return_when="FIRST_COMPLETED")
        if task in done:
            task.result()  # it stopped: say why
        if ready not in done:
            ready.cancel()
            raise TimeoutError(f"the {adapter.platform} adapter was not ready in {within} s")
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
