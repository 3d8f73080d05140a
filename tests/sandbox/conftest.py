"""Plain HTTP to the sandbox: these tests check the contract itself, not our client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.toolforge.sandbox import Sandbox

JOBS = "/jobs/v1/tool/{}/jobs"


@pytest.fixture
async def http(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=sandbox.base_url, timeout=5) as client:
        yield client
