"""A 36-line answer (sample-legacy's migration plan) on a real IRC network with the default
flood control (a burst of 5 lines, then 0.5 lines/s): how many lines reach the asker and
how long until the last one, as before (every line, privately), with ``more`` (no web
page configured) and with a short-lived page.

Figures printed: lines received and seconds from the question to the answer's last line,
per mode, and the transcript of each answer.

Run: .venv/bin/python tests/bench/bench_long_answers.py   (needs inspircd and atheme-services)
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from adapters.irc import IrcConfig  # noqa: E402
from bot.app import SANDBOX_DATA, open_bot  # noqa: E402
from bot.config import GitLabSettings  # noqa: E402
from bot.core import Bot  # noqa: E402
from bot.message import ChatIdentity, Message  # noqa: E402
from bot.toolforge.sandbox import Sandbox  # noqa: E402
from tests.irc.conftest import running  # noqa: E402
from tests.irc.network import IrcNetwork, missing_binaries  # noqa: E402
from tests.irc.peer import Peer, privmsgs_from  # noqa: E402
from tests.migration.test_migrate_conversation import LEGACY_REPO  # noqa: E402
from tests.support import sandbox_config  # noqa: E402
from tests.test_long_answers import serving_pages  # noqa: E402

CHANNEL = "#bench"
ACCOUNTS = {"forgebot": "botpass1", "alice-libera": "alicepass1"}
LAST_BULLET = "rebuild-index: keeps mount"


@contextlib.asynccontextmanager
async def bot_on(network: IrcNetwork, box: Sandbox, comfortable: int) -> AsyncIterator[Bot]:
    assert box.gitlab is not None
    with tempfile.TemporaryDirectory() as data:
        gitlab = GitLabSettings(url=box.gitlab.url, token="bench")
        async with open_bot(sandbox_config(box.base_url, Path(data), gitlab=gitlab)) as bot:
            await bot.services.store.link_add("irc:alice-libera", "bob", created_by="bench")
            speaker = ChatIdentity("irc", "alice-libera", "alice")
            for line in ("migrate sample-legacy",
                         f"migrate repo {box.gitlab.url}/toolforge-repos/sample-legacy"):
                await bot.handle(Message("irc", speaker, line, direct=True))
            config = IrcConfig(server=network.host, port=network.port, tls=False,
                               password=ACCOUNTS["forgebot"], channels=(CHANNEL,),
                               comfortable_lines=comfortable)  # default flood control
            async with running(config, bot):
                yield bot


async def ask(alice: Peer, *last: str) -> tuple[list[str], float]:
    mine = privmsgs_from("forgebot", "alice")
    since = alice.mark()
    started = time.perf_counter()
    await alice.say("forgebot", "migrate plan")
    end = await alice.expect(lambda ln: mine(ln) and any(w in ln.text for w in last),
                             since=since, within=180)  # fmt: skip
    elapsed = time.perf_counter() - started
    return [ln.text for ln in alice.lines[since : alice.lines.index(end) + 1] if mine(ln)], elapsed


async def main() -> None:
    missing = missing_binaries()
    if missing:
        print(f"skipped: needs {' '.join(missing)}")
        return
    network = IrcNetwork(dict(ACCOUNTS)).start()
    try:
        async with Sandbox(SANDBOX_DATA) as box:
            assert box.gitlab is not None
            box.gitlab.add_project("toolforge-repos/sample-legacy", LEGACY_REPO,
                                   writers={"bench"}, executable={"bin/relay.sh"})  # fmt: skip
            alice = await Peer.connect(network.host, network.port, "alice", "alice-libera",
                                       ACCOUNTS["alice-libera"])  # fmt: skip
            results = []
            async with bot_on(network, box, comfortable=1000):
                results.append(("before (every line)", *await ask(alice, LAST_BULLET)))
            async with bot_on(network, box, comfortable=8):
                results.append(("now, no web page: more", *await ask(alice, "say more")))
            async with bot_on(network, box, comfortable=8) as bot, serving_pages(bot):
                results.append(("now, with a web page", *await ask(alice, "/answers/")))
            await alice.close()
    finally:
        network.stop()
    print("A 36-line answer (migrate plan of sample-legacy) asked in a private message, IRC")
    print("flood control at its defaults (burst 5, then 0.5 lines/s):")
    for label, lines, seconds in results:
        print(f"  {label:<26} {len(lines):3d} lines  {seconds:6.2f} s to the last line")
    for label, lines, _ in results:
        print(f"\n--- {label}")
        for line in lines:
            print(f"  forgebot> {line}")


if __name__ == "__main__":
    asyncio.run(main())
