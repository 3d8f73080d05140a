"""The shipped example configuration runs: ``forgebot run --config forgebot.example.toml``.

Only the IRC server's address is changed, to this test's network; the rest of
the file is used as shipped, with the secrets in the environment.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from tests.irc.conftest import ACCOUNTS
from tests.irc.network import IrcNetwork
from tests.irc.peer import Peer
from tests.test_run_command import forgebot_run, free_port, wait_healthy

pytestmark = pytest.mark.irc
EXAMPLE = Path(__file__).resolve().parents[2] / "forgebot.example.toml"


async def test_the_example_configuration_runs_and_joins_its_channel(
    irc_network: IrcNetwork, tmp_path: Path
) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    shipped = 'server = "irc.libera.chat"\nport = 6697\ntls = true\n'
    assert shipped in text
    local = f'server = "{irc_network.host}"\nport = {irc_network.port}\ntls = false\n'
    config = tmp_path / "forgebot.toml"
    config.write_text(text.replace(shipped, local), encoding="utf-8")
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if "proxy" not in k.lower()},
        "FORGEBOT_DATA_DIR": str(tmp_path / "data"),
        "FORGEBOT_IRC_PASSWORD": ACCOUNTS["forgebot"],
        "PORT": str(port),
    }
    watcher = await Peer.connect(irc_network.host, irc_network.port, "watcher")
    await watcher.join("#wikimedia-cloud")
    since = watcher.mark()
    proc = await forgebot_run(config, env)
    try:
        await wait_healthy(f"http://127.0.0.1:{port}/healthz", proc)
        joined = await watcher.expect(
            lambda line: line.command == "JOIN" and line.nick == "forgebot", within=30, since=since
        )
        assert joined.params[0] == "#wikimedia-cloud"
        await watcher.say("#wikimedia-cloud", "!tf status sample-web")
        answer = await watcher.expect(
            lambda line: line.command == "PRIVMSG" and line.nick == "forgebot", within=30
        )
        # the status headline (the answer's first line), not an error that names the tool
        headline = "sample-web: web service [running] at https://sample-web.toolforge.org/"
        assert headline in answer.text and "error" not in answer.text.lower(), answer.text
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), 30)
        await watcher.close()
