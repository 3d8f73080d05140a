"""build cancel <tool> [build]: cancel a pending or running build, after confirmation."""

from __future__ import annotations

from bot.commands import Arg, Invocation, Permission, command
from bot.context import Context
from bot.errors import ToolforgeError
from bot.job_view import build_badge
from bot.reply import Reply, Strong, Text
from bot.toolforge import Build
from commands.builds.ids import short_id, unfinished_build


async def _check(ctx: Context, inv: Invocation) -> Build:
    return await unfinished_build(ctx, inv["tool"], inv["build"])


def _describe(inv: Invocation) -> str:
    # Not its state: a pending build starts running while the code waits, and the code
    # must still hold then (it runs only if the description is the same).
    build: Build = inv.checked
    return f"cancel build {short_id(build)} of {inv['tool']}, which has not finished"


async def _cancel(ctx: Context, inv: Invocation) -> Reply:
    tool: str = inv["tool"]
    build: Build = inv.checked
    client = ctx.services.toolforge
    await client.cancel_build(tool, build.build_id)
    name = short_id(build)
    try:
        after = await client.get_build(tool, build.build_id)
    except ToolforgeError:
        return Reply.text(f"Asked the build service to cancel build {name} of {tool}.")
    return Reply(
        (Text.of("Build ", Strong(name), f" of {tool}: ", build_badge(after)),),
        summary=f"build {name} of {tool}: {after.state}",
        meta={"audit": f"cancelled {build.build_id}: now {after.state}"},
    )


CANCEL = command(
    "cancel",
    summary="cancel a pending or running build (the only one going, or the one named)",
    args=(
        Arg("tool", "the Toolforge tool name"),
        Arg("build", "a build id, or its last part", required=False),
    ),
    permission=Permission.MAINTAINER,
    tool_arg="tool",
    target_arg="build",
    check=_check,
    confirm=_describe,
    audit_action="build cancel",
    acts="cancel its builds",
)(_cancel)
