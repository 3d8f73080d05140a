"""Start-up time and idle memory of the ``forgebot`` command, as a user runs it.

Figures printed (median of a few runs each):

* ``import``: ``python -c "import bot.cli"`` (what every sub-command pays);
* ``console``: ``echo whoami | forgebot console --sandbox`` from exec to exit,
  and its peak RSS;
* ``run (irc)``: ``forgebot run`` with one ``[irc]`` table, against a real
  InspIRCd + Atheme network and a sandbox in another process: time from exec
  to the bot's JOIN seen by a client in the channel, and the RSS of the idle
  process two seconds later.

Run: .venv/bin/python tests/bench/bench_startup.py [CHECKOUT]
(CHECKOUT: another checkout of forgebot to measure with this venv, e.g. an
older commit in a git worktree, for a before/after on the same machine.)
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
UNDER_TEST = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else ROOT

from process_stats import cpu_seconds, rss_kib  # noqa: E402

from tests.irc.network import IrcNetwork, missing_binaries  # noqa: E402
from tests.irc.peer import Peer  # noqa: E402

ROUNDS = 5
CHANNEL = "#bench"
ACCOUNTS = {"forgebot": "botpass1", "watcher": "watchpass1"}


def _env(data: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["FORGEBOT_DATA_DIR"] = data
    env["PYTHONPATH"] = str(UNDER_TEST)
    return env


def _sandbox_data() -> Path:
    for candidate in (
        UNDER_TEST / "bot" / "toolforge" / "sandbox" / "tools.toml",
        UNDER_TEST / "bot" / "sandbox" / "tools.toml",
    ):
        if candidate.exists():
            return candidate
    raise SystemExit("cannot find the sandbox's tools.toml")


def _timed(argv: list[str], stdin: str, env: dict[str, str]) -> tuple[float, int, float]:
    """Wall time of one run, its peak RSS in KiB and its CPU time (steadier on a busy box)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
        cwd=UNDER_TEST,  # python -m puts the working directory first on sys.path
    )
    proc.stdin.write(stdin.encode())  # type: ignore[union-attr]
    proc.stdin.close()  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{argv} failed: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
    return elapsed, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def bench_import() -> None:
    times = []
    for _ in range(ROUNDS):
        with tempfile.TemporaryDirectory() as data:
            _, _, cpu = _timed([sys.executable, "-c", "import bot.cli"], "", _env(data))
        times.append(cpu)
    print(f"  import bot.cli                 {statistics.median(times) * 1000:7.0f} ms CPU")


def bench_console() -> None:
    """A first start (the database is created) and a restart (it is there)."""
    first, again, rss, cpu_first, cpu_again = [], [], [], [], []
    argv = [sys.executable, "-m", "bot", "console", "--sandbox"]
    for _ in range(ROUNDS):
        with tempfile.TemporaryDirectory() as data:
            elapsed, peak, cpu = _timed(argv, "whoami\n", _env(data))
            first.append(elapsed)
            cpu_first.append(cpu)
            rss.append(peak)
            elapsed, _, cpu = _timed(argv, "whoami\n", _env(data))
            again.append(elapsed)
            cpu_again.append(cpu)
    ms = lambda values: statistics.median(values) * 1000  # noqa: E731
    print(
        f"  console --sandbox, 'whoami'    first start {ms(first):5.0f} ms"
        f" ({ms(cpu_first):.0f} ms CPU), restart {ms(again):.0f} ms ({ms(cpu_again):.0f} ms CPU)"
        f", peak RSS {statistics.median(rss) / 1024:5.1f} MiB"
    )


async def _run_once(
    network: IrcNetwork, sandbox_url: str, data: str
) -> tuple[float, float, int]:
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
        sys.executable, "-m", "bot", "--config", str(config), "run", cwd=UNDER_TEST,
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
        cpu = cpu_seconds(proc.pid)
        await asyncio.sleep(2.0)
        return joined, cpu, rss_kib(proc.pid)
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
            sys.executable, "-m", "bot", "sandbox", "--port", "0", cwd=UNDER_TEST,
            env=_env(box_data), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        try:
            assert box.stdout is not None
            first = (await asyncio.wait_for(box.stdout.readline(), 30)).decode()
            url = next(w for w in first.split() if w.startswith("http"))
            joins, cpus, rss = [], [], []
            for _ in range(ROUNDS):
                with tempfile.TemporaryDirectory() as data:
                    joined, cpu, kib = await _run_once(network, url, data)
                joins.append(joined)
                cpus.append(cpu)
                rss.append(kib)
            join_ms, cpu_ms = statistics.median(joins) * 1000, statistics.median(cpus) * 1000
            print(
                f"  run, one [irc] table           exec to JOIN {join_ms:5.0f} ms"
                f" ({cpu_ms:.0f} ms CPU), idle RSS {statistics.median(rss) / 1024:5.1f} MiB"
            )
        finally:
            box.terminate()
            await box.wait()
            network.stop()


def main() -> None:
    print(f"forgebot start-up of {UNDER_TEST} (median of {ROUNDS}):")
    bench_import()
    bench_console()
    asyncio.run(bench_run_irc())


if __name__ == "__main__":
    main()
