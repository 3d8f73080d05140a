"""build logs <tool> [build]: the end of a build's log, redacted, privately unless --here."""

from __future__ import annotations

import asyncio

from bot.commands import Arg, Flag, Invocation, Permission, command
from bot.context import Context
from bot.log_secrets import secrets_to_hide
from bot.log_window import LineCount
from bot.redact import redact_positions
from bot.reply import Code, Part, Reply, Strong, Text
from commands.builds.ids import chosen_build, short_id


async def _logs(ctx: Context, inv: Invocation) -> Reply:
    tool: str = inv["tool"]
    count = LineCount.of(inv["lines"], ctx.services.config.bot)
    client = ctx.services.toolforge
    build = await chosen_build(ctx, tool, inv["build"])
    name = short_id(build)
    private = not inv["here"]
    if build.state == "pending":
        # The builds API answers 500 for the log of a run that has not started.
        return Reply.text(
            f"Build {name} of {tool} is pending: it has not started, so it has no log yet.",
            private=private,
        )
    # Both at once; without the envvar values nothing is shown (bot.log_secrets).
    raw, known = await asyncio.gather(
        client.build_logs(tool, build.build_id),
        secrets_to_hide(client, tool, f"log lines of build {name} of {tool}"),
    )
    tail = raw[-count.lines :]
    clean = await asyncio.to_thread(redact_positions, tail, known)
    texts = [line for line in clean if line is not None]
    if not texts:
        return Reply.text(f"Build {name} of {tool} has no log lines yet.", private=private)
    heading = f"Last {len(texts)} of {len(raw)} log lines of build {name} of {tool} ({build.state})"
    heading += count.capped
    parts: list[Part] = [Text.of(Strong(heading + ":")), Code("\n".join(texts))]
    return Reply(tuple(parts), private=private, summary=heading, meta={"audit": heading})


LOGS = command(
    "logs",
    summary="show the end of a build's log (sent to you privately unless --here)",
    args=(
        Arg("tool", "the Toolforge tool name"),
        Arg("build", "a build id, or its last part (default: the latest build)", required=False),
    ),
    flags=(
        Flag("lines", "how many lines from the end (default 20, at most 200)", kind=int, minimum=1),
        Flag("here", "post in this channel instead of privately"),
    ),  # fmt: skip
    permission=Permission.MAINTAINER,
    tool_arg="tool",
    target_arg="build",
    audit_action="build logs",
    acts="read its build logs",
)(_logs)
