"""``python -m bot.sandbox``: serve the sandbox standalone, for trying the bot by hand."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bot.sandbox import Sandbox


async def serve(args: argparse.Namespace) -> None:
    sandbox = Sandbox(
        args.data, require_token=args.token, build_step_seconds=args.build_step or None
    )
    sandbox.latency = args.latency
    url = await sandbox.start(args.host, args.port)
    print(f"Toolforge sandbox serving {', '.join(sandbox.tools)} at {url}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await sandbox.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--data", type=Path, default=None, help="tools TOML (default: samples)")
    parser.add_argument("--token", default=None, help="require this bearer token")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to each answer")
    parser.add_argument(
        "--build-step", type=float, default=5.0, help="seconds per build stage (0: never)"
    )
    try:
        asyncio.run(serve(parser.parse_args()))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
