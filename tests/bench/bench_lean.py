"""The issue's "lean" table, measured again: forgebot before / now / target / the others.

One real InspIRCd + Atheme network and one sandbox (another process, as the
real API is on another machine), and ``forgebot run`` as an operator runs it,
with one ``[irc]`` table, flood control off, on a database already there (a
restart, as a deployed bot starts; the first start also runs the migrations):

* idle RSS: of the process 2 s after its JOIN was seen in the channel;
* start to JOIN: exec to the JOIN, and the CPU time it took;
* CPU per channel line: the bot process's CPU time (from /proc) while four
  clients send 20 000 lines of chatter, divided by the lines;
* first reply line and 5-line reply complete: ``!tf whoami`` of a linked
  account (five lines), median of 40, from the question sent to the first and
  to the fifth line received;
* ``status`` at 200 ms API latency: 200 and 1000 at once through the console
  adapter, wall time and the bot's CPU time (median of 3);
* RSS by layer: a fresh interpreter importing, in turn, asyncio, the storage
  stack the design fixes (sqlmodel, hence pydantic and SQLAlchemy's ORM, with one
  table written and read on SQLite), then the other libraries an idle bot holds,
  then forgebot's own modules: where the idle RSS goes, and its floor.

The machine is shared: CPU times are the steadier figures; the load average
is printed with them.

Run: .venv/bin/python tests/bench/bench_lean.py [--before CHECKOUT] [--irc]
(CHECKOUT: an older commit in a git worktree, measured the same way in the
same run, with this venv.)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# this folder (the script's): not the tests package, which must come from the checkout measured
from process_stats import cpu_seconds, rss_kib

ROOT = Path(__file__).resolve().parents[2]
CHANNEL = "#bench"
ACCOUNTS = {"forgebot": "botpass1", "alice-libera": "alicepass1"}
STARTS = 3
CHATTER = 20_000
CHATTERERS = 4
ASKS = 40
CONCURRENT = (200, 1000)
FAN_ROUNDS = 3

# The issue's figures (measured side by side on one machine), and its targets.
ISSUE = {
    "idle RSS (MiB)": ("100.5", "<= 52", "51.7", "33.0", "41"),
    "start to JOIN (s)": ("", "<= 1.5", "", "", ""),
    "bot CPU per channel line (us)": ("29.5", "<= 10", "271", "185", "2.0"),
    "first reply line, median (ms)": ("4.0", "", "5.1", "14.0", "1.0"),
    "5-line reply complete (ms)": ("~45", "<= 10", "", "14", "1"),
    "200 concurrent status, 200 ms API (s)": ("0.88", "<= 0.35", "", "", ""),
    "1000 concurrent status, 200 ms API (s)": ("2.2", "<= 0.6", "", "", ""),
}


def _env(checkout: Path, data: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["FORGEBOT_DATA_DIR"] = data
    env["PYTHONPATH"] = str(checkout)
    return env


def _rss_mib(pid: int) -> float:
    return rss_kib(pid) / 1024


def _load() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


async def _sandbox(checkout: Path, data: str, latency: float) -> tuple[Any, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "sandbox", "--port", "0", "--latency", str(latency),
        env=_env(checkout, data), cwd=checkout, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    assert proc.stdout is not None
    first = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode()
    return proc, next(w for w in first.split() if w.startswith("http"))


def _config(data: Path, network: Any, sandbox_url: str, checkout: Path) -> Path:
    tools = checkout / "bot" / "toolforge" / "sandbox" / "tools.toml"
    config = data / "forgebot.toml"
    config.write_text(
        f'[toolforge]\nurl = "{sandbox_url}"\n\n[directory]\nfile = "{tools}"\n\n'
        '[limits]\ncommands = "100000/minute"\n\n'
        f'[irc]\nserver = "{network.host}"\nport = {network.port}\ntls = false\n'
        f'nick = "forgebot"\nchannels = ["{CHANNEL}"]\nflood_rate = 0\n',
        encoding="utf-8",
    )
    return config


async def _start(
    checkout: Path, config: Path, data: str, watcher: Any
) -> tuple[Any, float, float]:
    """``forgebot run``: the process, seconds from exec to its JOIN, CPU seconds to it."""
    env = _env(checkout, data) | {"FORGEBOT_IRC_PASSWORD": ACCOUNTS["forgebot"]}
    since = watcher.mark()
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--config", str(config), "run", cwd=checkout,
        env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    await watcher.expect(
        lambda line: line.command == "JOIN" and line.nick == "forgebot", within=120, since=since
    )
    return proc, time.perf_counter() - started, cpu_seconds(proc.pid)


async def _registration_hold(host: str, port: int) -> float:
    """Seconds from a bare client's NICK and USER to the server's welcome (001): the part
    of start to JOIN that is the server's (InspIRCd holds every registration ~1 s)."""
    reader, writer = await asyncio.open_connection(host, port)
    started = time.perf_counter()
    writer.write(b"NICK holdprobe\r\nUSER probe 0 * :probe\r\n")
    while b" 001 " not in await asyncio.wait_for(reader.readline(), 60):
        pass
    took = time.perf_counter() - started
    writer.close()
    return took


async def _stop(proc: Any) -> None:
    if proc.returncode is None:
        proc.terminate()
        await proc.wait()


async def _reply(alice: Any, lines: int = 5) -> tuple[float, float]:
    """``!tf whoami``: ms to the reply's first line and to its ``lines``-th."""
    from tests.irc.peer import privmsgs_from

    since = alice.mark()
    started = time.perf_counter()
    await alice.say(CHANNEL, "!tf whoami")
    first = await alice.expect(privmsgs_from("forgebot", CHANNEL), since=since, within=60)
    first_at = time.perf_counter()
    index = alice.lines.index(first, since) + 1
    for _ in range(lines - 1):
        line = await alice.expect(privmsgs_from("forgebot", CHANNEL), since=index, within=60)
        index = alice.lines.index(line, index) + 1
    return (first_at - started) * 1000, (time.perf_counter() - started) * 1000


async def _synced(peer: Any) -> None:
    """Wait for the answer to a PING sent now: everything before it has been relayed."""
    token = f"bench-{peer.nick}-{time.monotonic_ns()}"
    since = peer.mark()
    await peer.send(f"PING :{token}")
    await peer.expect(lambda ln: ln.command == "PONG" and ln.text == token, within=600,
                      since=since)  # fmt: skip


async def _chatter(proc: Any, peers: list[Any], alice: Any) -> float:
    """The bot's CPU microseconds per line of channel chatter (ended by a command)."""
    per_peer = CHATTER // len(peers)
    before = cpu_seconds(proc.pid)

    async def talk(peer: Any) -> None:
        for i in range(per_peer):
            text = f"just chatting about tool number {i}, nothing to see here"
            peer.writer.write(f"PRIVMSG {CHANNEL} :{text}\r\n".encode())
            if i % 200 == 0:
                await peer.writer.drain()
        await peer.writer.drain()
        await _synced(peer)  # the server has relayed all of it

    await asyncio.gather(*(talk(p) for p in peers))
    await _reply(alice)  # answered after every chatter line before it was read
    return (cpu_seconds(proc.pid) - before) / (per_peer * len(peers)) * 1e6


async def measure_irc(checkout: Path) -> dict[str, float]:
    from tests.irc.network import IrcNetwork
    from tests.irc.peer import Peer

    network = IrcNetwork(dict(ACCOUNTS)).start()
    found: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as box_data, tempfile.TemporaryDirectory() as data:
        box, url = await _sandbox(checkout, box_data, 0.0)
        config = _config(Path(data), network, url, checkout)
        host, port = network.host, network.port
        alice = await Peer.connect(host, port, "alice", "alice-libera", ACCOUNTS["alice-libera"])
        peers = await asyncio.gather(*(Peer.connect(host, port, f"chatty{i}")
                                       for i in range(CHATTERERS)))  # fmt: skip
        await asyncio.gather(*(p.join(CHANNEL) for p in (alice, *peers)))
        proc = None
        try:
            # the first start creates the database (migrations); linking alice needs it
            proc, join, cpu = await _start(checkout, config, data, alice)
            await asyncio.sleep(2.0)
            found["first start: idle RSS (MiB)"] = _rss_mib(proc.pid)
            found["first start: start to JOIN (s)"] = join
            await _stop(proc)
            link = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "--config", str(config), "link", "add",
                "irc:alice-libera", "alice", cwd=checkout,
                env=_env(checkout, data) | {"FORGEBOT_IRC_PASSWORD": ACCOUNTS["forgebot"]},
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
            )  # fmt: skip
            assert await link.wait() == 0, "forgebot link add failed"
            rss, joins, cpus = [], [], []
            for _ in range(STARTS):
                proc, join, cpu = await _start(checkout, config, data, alice)
                await asyncio.sleep(2.0)
                rss.append(_rss_mib(proc.pid))
                joins.append(join)
                cpus.append(cpu)
                await _stop(proc)
            found["idle RSS (MiB)"] = statistics.median(rss)
            found["start to JOIN (s)"] = statistics.median(joins)
            found["start to JOIN, CPU (s)"] = statistics.median(cpus)
            found["of which the server holds registration (s)"] = await _registration_hold(
                host, port
            )
            proc, _, _ = await _start(checkout, config, data, alice)
            await _reply(alice)  # the first command opens what a command needs
            found["RSS after a first command (MiB)"] = _rss_mib(proc.pid)
            found["bot CPU per channel line (us)"] = await _chatter(proc, peers, alice)
            samples = [await _reply(alice) for _ in range(ASKS)]
            found["first reply line, median (ms)"] = statistics.median(s[0] for s in samples)
            found["5-line reply complete (ms)"] = statistics.median(s[1] for s in samples)
        finally:
            if proc is not None:
                await _stop(proc)
            for peer in (alice, *peers):
                await peer.close()
            await _stop(box)
            network.stop()
    return found


async def measure_status(checkout: Path) -> dict[str, float]:
    from adapters.console import ConsoleAdapter
    from bot.app import open_bot
    from tests.support import sandbox_config

    try:
        from bot.heap import settle
    except ImportError:  # a checkout from before it (--before): no settling

        def settle() -> None:
            pass

    found: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as box_data, tempfile.TemporaryDirectory() as data:
        box, url = await _sandbox(checkout, box_data, 0.2)
        try:
            async with open_bot(sandbox_config(url, Path(data), timeout=60.0)) as bot:
                console = ConsoleAdapter(bot, "bob", stdin=io.StringIO(), stdout=io.StringIO())
                settle()  # as forgebot run and console do once assembled
                for calls in CONCURRENT:
                    runs = []
                    for _ in range(FAN_ROUNDS + 1):  # the first opens the connections
                        wall, cpu = time.perf_counter(), time.process_time()
                        answers = await asyncio.gather(
                            *(console.handle_line("status sample-web") for _ in range(calls))
                        )
                        runs.append((time.perf_counter() - wall, time.process_time() - cpu))
                        # the status headline, not an error reply (which names the tool too)
                        firsts = [a[0] if a else "" for a in answers]
                        assert all("sample-web" in f and ": web service " in f
                                   and "error:" not in f for f in firsts), answers[0]  # fmt: skip
                    label = f"{calls} concurrent status, 200 ms API (s)"
                    found[label] = statistics.median(r[0] for r in runs[1:])
                    found[f"{calls} concurrent status, bot CPU (s)"] = statistics.median(
                        r[1] for r in runs[1:]
                    )
        finally:
            await _stop(box)
    return found


# Each layer's imports, in order; the RSS is read after each (see rss_layers).
_LAYERS = {
    "interpreter": "",
    "asyncio and ssl": "import asyncio, ssl",
    "sqlmodel, one table, one query": """
from sqlmodel import Field, Session, SQLModel, create_engine, select
class Row(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = ""
engine = create_engine("sqlite://")
SQLModel.metadata.create_all(engine)
with Session(engine) as session:
    session.add(Row(name="x")); session.commit(); list(session.exec(select(Row)))
""",
    "prometheus_client, limits, irc": "import prometheus_client, limits, irc.client",
    "forgebot (bot.app, the IRC adapter)": "import bot.app, adapters.irc.adapter",
}


# What the storage layer would cost instead of sqlmodel (each after asyncio and ssl,
# in an interpreter of its own): the floor without the design's storage stack.
_INSTEAD = {
    "SQLAlchemy Core only": """
import sqlalchemy as sa
metadata = sa.MetaData()
rows = sa.Table("row", metadata, sa.Column("id", sa.Integer, primary_key=True),
                sa.Column("name", sa.String))
engine = sa.create_engine("sqlite://")
metadata.create_all(engine)
with engine.begin() as connection:
    connection.execute(rows.insert().values(name="x")); list(connection.execute(sa.select(rows)))
""",
    "sqlite3 only": """
import sqlite3
db = sqlite3.connect(":memory:")
db.execute("create table row (id integer primary key, name text)")
db.execute("insert into row (name) values ('x')"); db.execute("select * from row").fetchall()
""",
}
_RSS = "print(open('/proc/self/status').read().split('VmRSS:')[1].split()[0])"


def _rss_after(checkout: Path, steps: list[str]) -> list[float]:
    """RSS (MiB) of one fresh interpreter after each of ``steps`` (Python code) in turn."""
    code = "\n".join(f"{step}\n{_RSS}" for step in steps)
    out = subprocess.run([sys.executable, "-c", code], cwd=checkout, capture_output=True,
                         text=True, check=True, env=_env(checkout, ""))  # fmt: skip
    return [int(line) / 1024 for line in out.stdout.split()]


def rss_layers(checkout: Path) -> dict[str, float]:
    """RSS after each of :data:`_LAYERS` in turn, and each of :data:`_INSTEAD` alone."""
    found = {f"RSS floor: + {name} (MiB)": mib
             for name, mib in zip(_LAYERS, _rss_after(checkout, [*_LAYERS.values()]),
                                  strict=True)}  # fmt: skip
    for name, storage in _INSTEAD.items():
        mib = _rss_after(checkout, [_LAYERS["asyncio and ssl"], storage])[-1]
        found[f"RSS floor: asyncio and ssl + {name}, one table, one query (MiB)"] = mib
    return found


async def measure(checkout: Path, status: bool = True) -> dict[str, float]:
    found = {"load average": float(_load())}
    found |= await measure_irc(checkout)
    if status:
        found |= await measure_status(checkout)
    found |= rss_layers(checkout)
    found["load average, after"] = float(_load())
    return found


def _run(checkout: Path, status: bool) -> dict[str, float]:
    """Measure ``checkout`` in a process of its own (its modules, not this one's)."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    out = subprocess.run(
        [sys.executable, __file__, "--measure", str(checkout), *([] if status else ["--irc"])],
        env=env, capture_output=True, text=True, cwd=checkout,
    )  # fmt: skip
    if out.returncode != 0:
        raise SystemExit(f"measuring {checkout} failed:\n{out.stderr[-3000:]}")
    figures: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def _cell(value: float | None, unit_label: str) -> str:
    if value is None:
        return ""
    if "(us)" in unit_label or "(MiB)" in unit_label or "(ms)" in unit_label:
        return f"{value:.1f}"
    return f"{value:.2f}"


def table(now: dict[str, float], before: dict[str, float] | None) -> str:
    head = ["", "issue's forgebot", "before (this run)", "now", "target", "Sopel 8",
            "Limnoria", "bare asyncio"]  # fmt: skip
    rows = []
    for label, (issue, target, sopel, limnoria, bare) in ISSUE.items():
        then = _cell(before.get(label), label) if before else "not run"
        rows.append([label, issue, then, _cell(now.get(label), label), target, sopel,
                     limnoria, bare])  # fmt: skip
    extra = [k for k in now if k not in ISSUE]
    for label in extra:
        then = _cell(before.get(label), label) if before else "not run"
        rows.append([label, "", then, _cell(now.get(label), label), "", "", "", ""])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", type=Path, help="an older checkout, measured too")
    parser.add_argument("--irc", action="store_true", help="only the IRC figures (no status)")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure is not None:
        sys.path.insert(0, str(args.measure.resolve()))
        import logging

        logging.basicConfig(level=logging.ERROR)
        print(json.dumps(asyncio.run(measure(args.measure.resolve(), not args.irc))))
        return
    before = _run(args.before.resolve(), not args.irc) if args.before else None
    now = _run(ROOT, not args.irc)
    print(table(now, before))


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
