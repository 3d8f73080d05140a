"""`forgebot run` as deployed: configuration file, env secrets, adapters and the HTTP server."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.fakes.slack_server import FakeSlack
from tests.support import PATIENCE
from tests.test_slack_adapter import post_signed

SECRET = "signing-secret-for-tests"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    server = FakeSlack()
    await server.start()
    yield server
    await server.stop()


async def forgebot_run(config: Path, env: dict[str, str]) -> asyncio.subprocess.Process:
    """``forgebot run --config FILE --sandbox`` as its own process, as the Procfile runs it."""
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--config", str(config), "--sandbox",
        env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def wait_healthy(url: str, proc: asyncio.subprocess.Process) -> None:
    deadline = time.monotonic() + PATIENCE  # a whole process starting on a loaded machine
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if proc.returncode is not None:
                raise AssertionError(f"forgebot run exited with {proc.returncode}")
            try:
                async with session.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise AssertionError("forgebot run never became healthy")


async def test_run_serves_slack_http_events_and_healthz(slack: FakeSlack, tmp_path: Path) -> None:
    port = free_port()
    config = tmp_path / "forgebot.toml"
    config.write_text(
        f'[http]\nport = {port}\n\n[slack]\nmode = "http"\nbase_url = "{slack.api_url}"\n',
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "FORGEBOT_DATA_DIR": str(tmp_path / "data"),
        "FORGEBOT_SLACK_BOT_TOKEN": slack.bot_token,
        "FORGEBOT_SLACK_SIGNING_SECRET": SECRET,
    }
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        env.pop(name, None)
    proc = await forgebot_run(config, env)
    try:
        await wait_healthy(f"http://127.0.0.1:{port}/healthz", proc)
        status, _ = await post_signed(
            f"http://127.0.0.1:{port}/slack/events",
            slack.slash("U0ALICE", "status sample-web"),
            form=True,
        )
        assert status == 200
        await slack.wait_for(lambda: len(slack.responses) == 1)
        assert "sample-web" in json.dumps(slack.responses[0][1])
    finally:
        proc.terminate()
        await proc.wait()


async def test_each_configured_table_becomes_its_adapter(bot) -> None:  # type: ignore[no-untyped-def]
    from adapters import config_models, configured_adapters
    from bot.config import parse_config

    tables = {
        "irc": {"server": "127.0.0.1", "channels": ["#wikimedia-cloud"]},
        "zulip": {"site": "https://zulip.example", "email": "bot@zulip.example"},
        "slack": {"mode": "socket"},
    }
    env = {
        "FORGEBOT_IRC_PASSWORD": "pw-123456",
        "FORGEBOT_ZULIP_API_KEY": "key-123456",
        "FORGEBOT_SLACK_BOT_TOKEN": "xoxb-123456",
        "FORGEBOT_SLACK_APP_TOKEN": "xapp-123456",
    }
    config = parse_config(tables, env, config_models(), base=Path.cwd())
    adapters = configured_adapters(config, bot)
    assert sorted(a.platform for a in adapters) == ["irc", "slack", "zulip"]
    off = {"irc": {"enabled": False, "channels": ["#wikimedia-cloud"]}}
    disabled = parse_config(off, env, config_models(), base=Path.cwd())
    assert configured_adapters(disabled, bot) == []


async def test_run_explains_an_incomplete_adapter_table(tmp_path: Path) -> None:
    config = tmp_path / "forgebot.toml"
    config.write_text('[zulip]\nsite = "https://zulip.example"\n', encoding="utf-8")
    env = {**os.environ, "FORGEBOT_DATA_DIR": str(tmp_path / "data")}
    env.pop("FORGEBOT_ZULIP_API_KEY", None)
    proc = await forgebot_run(config, env)
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 2
    message = err.decode()
    assert message.startswith(f"forgebot run: {config}: zulip.email: is required")
    assert "Traceback" not in message
