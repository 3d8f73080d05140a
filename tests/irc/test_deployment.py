"""The README's "Deploying it as a Toolforge tool", done on this machine.

The repository's files as git lists them; ``forgebot.toml`` edited as an
operator does in step 1, for this machine's stand-ins (the local IRC network
for Libera, a local slapd for the developer LDAP, the sandbox's web front for
toolforge.org); ``requirements.txt`` installed into a virtualenv as the Python
buildpack does; then the Procfile's ``web`` command through ``bash -c`` in
that checkout, with only the variables a Toolforge job would have: ``PATH``,
``TOOL_DATA_DIR``, ``PORT``, ``TOOL_TOOLFORGE_API_URL`` (the sandbox stands in
for Toolforge) and the secrets of step 2.

The dependencies' virtualenv is kept per lock under /tmp/forgebot-deploy/, as
the buildpack keeps its dependency layer between builds; each run installs its
checkout's project into a virtualenv of its own on top of it.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.app import SANDBOX_DATA
from bot.toolforge.sandbox import Sandbox
from tests.deployment_build import built_checkout
from tests.irc.conftest import ACCOUNTS, CHANNEL
from tests.irc.network import IrcNetwork
from tests.irc.peer import Peer
from tests.ldap.conftest import running_slapd
from tests.ldap.seed import toolforge_data
from tests.ldap.server import PROXY_DN, PROXY_PASSWORD, SlapdServer
from tests.test_run_command import free_port

pytestmark = pytest.mark.irc
TOKEN = "deploy-test-token-5f3a"
SHIPPED_IRC = 'server = "irc.libera.chat"\nport = 6697\ntls = true\n'


@pytest.fixture
async def toolforge() -> AsyncIterator[Sandbox]:
    box = Sandbox(SANDBOX_DATA, require_token=TOKEN)
    await box.start()
    try:
        yield box
    finally:
        await box.stop()


@pytest.fixture
def developer_ldap() -> Iterator[SlapdServer]:
    """The developer LDAP, holding the sandbox's tools and their maintainers."""
    with running_slapd(toolforge_data(tools=0, people=0)) as server:
        yield server


def operator_edit(workspace: Path, irc: IrcNetwork, ldap: SlapdServer, sandbox: Sandbox) -> None:
    """Step 1 of the README, for this machine's IRC network, LDAP and web front."""
    config = workspace / "forgebot.toml"
    text = config.read_text(encoding="utf-8")
    assert SHIPPED_IRC in text and "\n[ldap]" in text, "forgebot.toml changed its tables"
    irc_here = f'server = "{irc.host}"\nport = {irc.port}\ntls = false\n'
    ldap_here = f'[ldap]\nuris = ["{ldap.uri}"]\nbind_dn = "{PROXY_DN}"\n'
    front = f'\n[front]\nurl = "{sandbox.base_url}/front/{{tool}}/"\n'
    text = text.replace(SHIPPED_IRC, irc_here).replace("[ldap]", ldap_here, 1)
    config.write_text(text + front, encoding="utf-8")


def web_command(workspace: Path) -> str:
    for line in (workspace / "Procfile").read_text(encoding="utf-8").splitlines():
        kind, _, command = line.partition(":")
        if kind.strip() == "web":
            return command.strip()
    raise AssertionError("the Procfile has no web process")


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


async def until(what: str, check: object, proc: asyncio.subprocess.Process, log: Path) -> None:
    """Wait (60 s at most) for the coroutine function ``check`` to return true."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.returncode is not None:
            said = await asyncio.to_thread(log.read_text)
            raise AssertionError(f"forgebot exited with {proc.returncode}:\n{said}")
        try:
            if await check():  # type: ignore[operator]
                return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError(f"never {what}:\n{await asyncio.to_thread(log.read_text)}")


def metric(text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    return 0.0


async def test_the_readme_deployment_runs_and_serves_irc_from_the_sandbox(
    irc_network: IrcNetwork, developer_ldap: SlapdServer, toolforge: Sandbox, tmp_path: Path
) -> None:
    started = time.monotonic()
    workspace, venv = await asyncio.to_thread(built_checkout, tmp_path / "workspace")
    built = time.monotonic() - started
    operator_edit(workspace, irc_network, developer_ldap, toolforge)
    tool_home = tmp_path / "tool-home"
    tool_home.mkdir()
    port = free_port()
    env = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "TOOL_DATA_DIR": str(tool_home),
        "PORT": str(port),
        "TOOL_TOOLFORGE_API_URL": toolforge.base_url,
        "FORGEBOT_TOOLFORGE_TOKEN": TOKEN,
        "FORGEBOT_IRC_PASSWORD": ACCOUNTS["forgebot"],
        "FORGEBOT_LDAP_BIND_PASSWORD": PROXY_PASSWORD,
    }
    log = tmp_path / "forgebot.log"
    watcher = await Peer.connect(irc_network.host, irc_network.port, "deploywatch")
    await watcher.join(CHANNEL)
    since = watcher.mark()
    with log.open("wb") as sink:
        proc = await asyncio.create_subprocess_exec(
            "bash", "-c", web_command(workspace), cwd=workspace, env=env,
            stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:

        async def healthy() -> bool:
            return (await get(f"{base}/healthz"))[0] == 200

        async def ready() -> bool:
            return (await get(f"{base}/readyz"))[0] == 200

        await until("answered /healthz", healthy, proc, log)
        await until("said it was ready", ready, proc, log)
        status, body = await get(f"{base}/readyz")
        assert json.loads(body) == {"status": "ready", "connections": {"irc": True}}
        joined = await watcher.expect(
            lambda line: line.command == "JOIN" and line.nick == "forgebot", within=30, since=since
        )
        assert joined.params[0] == CHANNEL
        await watcher.say(CHANNEL, "!tf status sample-web")
        answer = await watcher.expect(
            lambda line: line.command == "PRIVMSG" and line.nick == "forgebot", within=30
        )
        # the status headline (the answer's first line), not an error that names the tool
        headline = "sample-web: web service [running] at https://sample-web.toolforge.org/"
        assert headline in answer.text and "error" not in answer.text.lower(), answer.text
        assert any(path.startswith("/jobs/v1/tool/sample-web") for _, path in toolforge.requests)

        _, metrics = await get(f"{base}/metrics")
        assert metric(metrics, "forgebot_commands_total", command="status", result="ok") == 1
        assert metric(metrics, "forgebot_toolforge_requests_total", service="jobs",
                      status="200") >= 1  # fmt: skip
        assert metric(metrics, "forgebot_chat_connected", adapter="irc") == 1
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), 30)
        await watcher.close()

    # The data is in the tool's home, none in the container's checkout.
    assert (tool_home / "forgebot" / "forgebot.sqlite3").is_file()
    assert not (workspace / "forgebot").exists() and not (workspace / "data").exists()
    # JSON lines, the start-up summary among them, and no secret anywhere.
    text = log.read_text(encoding="utf-8")
    entries = [json.loads(line) for line in text.splitlines() if line.strip()]
    messages = [e["message"] for e in entries]
    assert "configuration: forgebot.toml" in messages
    assert any(m.startswith("environment: ") and "FORGEBOT_IRC_PASSWORD (set)" in m
               for m in messages)  # fmt: skip
    assert not [e for e in entries if e["level"] in ("WARNING", "ERROR", "CRITICAL")], text
    assert TOKEN not in text and ACCOUNTS["forgebot"] not in text and PROXY_PASSWORD not in text
    print(f"\ndeployment: built in {built:.1f} s, whole test {time.monotonic() - started:.1f} s",
          file=sys.stderr)  # fmt: skip
