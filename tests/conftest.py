"""Shared fixtures: a running Toolforge sandbox and bots wired to it over real HTTP."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from bot.app import SANDBOX_DATA, open_bot
from bot.core import Bot
from bot.toolforge.sandbox import Sandbox
from tests.support import sandbox_config, sandbox_sleep

MakeBot = Callable[..., Awaitable[Bot]]
# The Toolforge timeout of a bot whose test makes a request hang: short, so the test
# does not wait long, and still seconds above what any other answer takes when both
# cores are busy (every request of that bot is held to it, not only the hung one).
HANG_TIMEOUT = 2.0
# How a read of a tool's envvars can fail, and the words the bot uses for it
# (with a bot whose Toolforge timeout is HANG_TIMEOUT).
ENVVARS_FAULTS = {
    "500": "the envvars service is unavailable (HTTP 500)",
    "403": "Toolforge refused access to tool",
    "timeout": f"the envvars service did not answer within {HANG_TIMEOUT:g} s",
}

# Hypothesis times each example (200 ms by default) and checks that generating data is
# fast: on a loaded machine both fail tests that are right. Properties, not timings.
settings.register_profile(
    "forgebot", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("forgebot")


def break_envvars(sandbox: Sandbox, tool: str, fault: str) -> None:
    """Make the next read of ``tool``'s envvars fail with one of :data:`ENVVARS_FAULTS`."""
    path = f"/envvars/v1/tool/{tool}/envvars"
    if fault == "timeout":
        sandbox.hang_next(path_prefix=path)
    else:
        sandbox.fail_next(status=int(fault), path_prefix=path)


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    box = Sandbox(SANDBOX_DATA)
    await box.start()
    try:
        yield box
    finally:
        await box.stop()
    assert box.spec_violations == [], "the sandbox answered outside the OpenAPI documents"


@pytest.fixture
async def make_bot(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[MakeBot]:
    """``await make_bot(**changes)``: a Bot on a fresh SQLite store, talking to the sandbox;
    ``changes`` as :func:`tests.support.sandbox_config` takes them."""
    async with contextlib.AsyncExitStack() as stack:
        made = 0

        async def make(**changes: Any) -> Bot:
            nonlocal made
            made += 1
            changes.setdefault("database_url", f"sqlite:///{tmp_path / f'bot{made}.sqlite3'}")
            config = sandbox_config(sandbox.base_url, tmp_path, **changes)
            bot = await stack.enter_async_context(open_bot(config))
            bot.services.sleep = sandbox_sleep(sandbox)
            return bot

        yield make


@pytest.fixture
async def bot(make_bot: MakeBot) -> Bot:
    return await make_bot()
