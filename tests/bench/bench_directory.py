"""Maintainer lookups against a real slapd, cold and cached.

``python tests/bench/bench_directory.py`` starts a slapd with Toolforge-shaped
data (600 tools, 2000 accounts) on a loopback port, as the tests do. "Cold"
asks about each tool once with an empty cache (one LDAP search each; the
disabled accounts are read once per TTL), one at a time and 8 at once;
"cached" asks again within the TTL. The 2000-member group is measured on its own.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.config import LdapSettings  # noqa: E402
from bot.ldap_directory import LdapDirectory  # noqa: E402
from tests.ldap.seed import toolforge_data  # noqa: E402
from tests.ldap.server import PROXY_DN, PROXY_PASSWORD, SlapdServer, missing_binaries  # noqa: E402


async def timed(label: str, count: int, run: Callable[[], Awaitable[object]]) -> None:
    start = time.perf_counter()
    await run()
    elapsed = time.perf_counter() - start
    print(f"  {label:<40} {count / elapsed:9.0f} lookups/s  {elapsed / count * 1000:7.3f} ms each")


async def bench(uri: str, tools: list[str]) -> None:
    settings = LdapSettings(uris=(uri,), bind_dn=PROXY_DN, bind_password=PROXY_PASSWORD)

    async def one_by_one(directory: LdapDirectory) -> None:
        for tool in tools:
            await directory.maintainers(tool)

    async def eight_at_once(directory: LdapDirectory) -> None:
        queue = list(tools)

        async def worker() -> None:
            while queue:
                await directory.maintainers(queue.pop())

        await asyncio.gather(*(worker() for _ in range(8)))

    for label, run in (("one at a time", one_by_one), ("8 at once", eight_at_once)):
        directory = LdapDirectory(settings)
        try:
            await directory.maintainers("sample-web")  # connections opened, not measured
            await timed(f"cold, {label}", len(tools), lambda d=directory, r=run: r(d))
            await timed(f"cached, {label}", len(tools), lambda d=directory, r=run: r(d))
        finally:
            await directory.aclose()
    directory = LdapDirectory(settings)
    try:
        await directory.maintainers("sample-web")
        await timed("cold, the 2000-member group", 1, lambda: directory.maintainers("huge"))
        await timed("cold, tools_of (shared maintainer)", 1, lambda: directory.tools_of("dev0003"))
    finally:
        await directory.aclose()


def main() -> int:
    if missing_binaries():
        print("needs slapd (apt-get install slapd ldap-utils)", file=sys.stderr)
        return 1
    data = toolforge_data(tools=600)
    server = SlapdServer(data.ldif()).start()
    try:
        tools = [t for t in data.tools if t != "huge"]
        print(f"maintainer lookups, {len(tools)} tools, slapd at {server.uri}")
        asyncio.run(bench(server.uri, tools))
    finally:
        server.remove()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
