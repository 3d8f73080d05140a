"""Start-up time and idle memory of the ``forgebot`` command, as a user runs it.

Figures printed (median of a few runs each):

* ``import``: ``python -c "import bot.cli"`` (what every sub-command pays);
* ``console``: ``echo whoami | forgebot console --sandbox`` from exec to exit,
  and its peak RSS;
* ``run (irc)``: ``forgebot run`` with one ``[irc]`` table, against a real
  InspIRCd + Atheme network and a sandbox in another process: time from exec
  to the bot's JOIN seen by a client in the channel, and the RSS of the idle
  process two seconds later.

Run: .venv/bin/python tests/bench/bench_startup.py
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.irc.network import IrcNetwork, missing_binaries  # noqa: E402
from tests.irc.peer import Peer  # noqa: E402

ROUNDS = 5
CHANNEL = "#bench"
ACCOUNTS = {"forgebot": "botpass1", "watcher": "watchpass1"}
SANDBOX_DATA = ROOT / "bot" / "sandbox" / "tools.toml"


def _env(data: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["FORGEBOT_DATA_DIR"] = data
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _sandbox_data() -> Path:
    for candidate in (
        ROOT / "bot" / "toolforge" / "sandbox" / "tools.toml",
        SANDBOX_DATA,
    ):
        if candidate.exists():
            return candidate
    raise SystemExit("cannot find the sandbox's tools.toml")


def _timed(argv: list[str], stdin: str, env: dict[str, str]) -> tuple[float, int]:
    """Wall time of one run and its peak RSS in KiB."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
    )
    proc.stdin.write(stdin.encode())  # type: ignore[union-attr]
    proc.stdin.close()  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{argv} failed: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
    return elapsed, usage.ru_maxrss


def bench_import() -> None:
    times = []
    for _ in range(ROUNDS):
        with tempfile.TemporaryDirectory() as data:
            elapsed, _ = _timed([sys.executable, "-c", "import bot.cli"], "", _env(data))
        times.append(elapsed)
    print(f"  import bot.cli                 {statistics.median(times) * 1000:7.0f} ms")


def bench_console() -> None:
    """A first start (the database is created) and a restart (it is there)."""
    first, again, rss = [], [], []
    argv = [sys.executable, "-m", "bot", "console", "--sandbox"]
    for _ in range(ROUNDS):
        with tempfile.TemporaryDirectory() as data:
            elapsed, peak = _timed(argv, "whoami\n", _env(data))
            first.append(elapsed)
            rss.append(peak)
            again.append(_timed(argv, "whoami\n", _env(data))[0])
    print(
        f"  console --sandbox, 'whoami'    {statistics.median(first) * 1000:7.0f} ms first start,"
        f" {statistics.median(again) * 1000:.0f} ms restart"
        f"   peak RSS {statistics.median(rss) / 1024:6.1f} MiB"
    )


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def _run_once(network: IrcNetwork, sandbox_url: str, data: str) -> tuple[float, int]:
    config = Path(data) / "forgebot.toml"
    config.write_text(
        f'[toolforge]\nurl = "{sandbox_url}"\n\n'
        f'[directory]\nfile = "{_sandbox_data()}"\n\n'
        f'[irc]\nserver = "{network.host}"\nport = {network.port}\ntls = false\n'
        f'nick = "forgebot"\nchannels = ["{CHANNEL}"]\nflood_rate = 0\n',
        encoding="utf-8",
    )
    env = _env(data) | {"FORGEBOT_IRC_PASSWORD": ACCOUNTS["forgebot"]}
    watcher = await Peer.connect(network.host, network.port, "watcher", "watcher", "watchpass1")
    await watcher.join(CHANNEL)
    since = watcher.mark()
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--config", str(config), "run",
        env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        joining = asyncio.ensure_future(watcher.expect(
            lambda line: line.command == "JOIN" and line.nick == "forgebot", within=30, since=since
        ))
        exited = asyncio.ensure_future(proc.wait())
        await asyncio.wait({joining, exited}, return_when=asyncio.FIRST_COMPLETED)
        if not joining.done():
            joining.cancel()
            assert proc.stderr is not None
            raise SystemExit(f"forgebot run exited: {(await proc.stderr.read()).decode()[-2000:]}")
        exited.cancel()
        await joining
        joined = time.perf_counter() - started
        await asyncio.sleep(2.0)
        return joined, _rss_kib(proc.pid)
    finally:
        if proc.returncode is None:
            proc.terminate()
            await proc.wait()
        await watcher.close()


async def bench_run_irc() -> None:
    missing = missing_binaries()
    if missing:
        print(f"  run (irc): skipped, needs {' and '.join(missing)}")
        return
    network = IrcNetwork(dict(ACCOUNTS)).start()
    with tempfile.TemporaryDirectory() as box_data:
        box = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "sandbox", "--port", "0",
            env=_env(box_data), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        try:
            assert box.stdout is not None
            first = (await asyncio.wait_for(box.stdout.readline(), 30)).decode()
            url = next(w for w in first.split() if w.startswith("http"))
            joins, rss = [], []
            for _ in range(ROUNDS):
                with tempfile.TemporaryDirectory() as data:
                    joined, kib = await _run_once(network, url, data)
                joins.append(joined)
                rss.append(kib)
            print(
                f"  run, one [irc] table: exec to JOIN {statistics.median(joins) * 1000:5.0f} ms"
                f"   idle RSS {statistics.median(rss) / 1024:6.1f} MiB"
            )
        finally:
            box.terminate()
            await box.wait()
            network.stop()


def main() -> None:
    print(f"forgebot start-up (median of {ROUNDS}; Python {sys.version.split()[0]}):")
    bench_import()
    bench_console()
    asyncio.run(bench_run_irc())


if __name__ == "__main__":
    main()
