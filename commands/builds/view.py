"""build status / build list: what the build service did for a tool (public, as Toolforge's is)."""

from __future__ import annotations

from datetime import datetime

from bot.commands import Arg, Invocation, command
from bot.context import Context
from bot.job_view import build_badge
from bot.redact import redact
from bot.reply import Bullets, Inline, Part, Reply, Strong, Table, Text
from bot.toolforge import Build
from bot.visibility import known_tool
from commands.builds.ids import PIPELINE, chosen_build, short_id

LIST_LIMIT = 10


def _when(stamp: str) -> str:
    return stamp.replace("T", " ").removesuffix("Z")[:16] + (" UTC" if stamp else "")


def took(build: Build) -> str:
    """How long the build ran (``3m43s``), or ``""`` while it runs or when unknown."""
    try:
        start = datetime.fromisoformat(build.start_time.replace("Z", "+00:00"))
        end = datetime.fromisoformat(build.end_time.replace("Z", "+00:00"))
    except ValueError:
        return ""
    seconds = max(0, int((end - start).total_seconds()))
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"


def _source(build: Build) -> str:
    ref = build.ref or "its default branch"
    resolved = f" ({build.resolved_ref[:12]})" if build.resolved_ref else ""
    return f"{build.source_url or '?'} at {ref}{resolved}"


async def _status(ctx: Context, inv: Invocation) -> Reply:
    tool: str = inv["tool"]
    await known_tool(ctx, tool)
    build = await chosen_build(ctx, tool, inv["build"])
    facts: list[tuple[Inline, ...]] = [("from ", _source(build))]
    if build.start_time:
        span = f"started {_when(build.start_time)}"
        if build.end_time:
            span += f", finished {_when(build.end_time)} (took {took(build)})"
        facts.append((span,))
    if build.destination_image and build.state == "ok":
        facts.append((f"image: {build.destination_image}",))
    if build.message and build.state != "ok":
        facts.append((redact(build.message),))
    heading = Text.of(Strong(f"{tool} build {short_id(build)}"), ": ", build_badge(build))
    parts: list[Part] = [heading, Bullets(tuple(facts))]
    if build.state in ("error", "timeout"):
        parts.append(Text.of(f"Its log: {ctx.hint(f'build logs {tool} {short_id(build)}')}"))
    return Reply(tuple(parts), summary=f"{tool} build {short_id(build)}: {build.state}")


async def _list(ctx: Context, inv: Invocation) -> Reply:
    tool: str = inv["tool"]
    await known_tool(ctx, tool)
    builds = await ctx.services.toolforge.list_builds(tool)
    if not builds:
        return Reply.text(f"{tool} has no builds (the build service keeps the last few).")
    shown = builds[:LIST_LIMIT]
    rows = tuple(
        (short_id(b), build_badge(b), _when(b.start_time), took(b), b.ref or "(default)")
        for b in shown
    )
    more = f" ({len(builds) - len(shown)} older not shown)" if len(builds) > len(shown) else ""
    return Reply(
        (
            Text.of(Strong(f"Builds of {tool}, newest first{more}:")),
            Table(("build", "state", "started", "took", "ref"), rows),
            Text.of(f"Ids are {tool}{PIPELINE}<build>; the short one is enough."),
        ),
        summary=f"{len(builds)} builds of {tool}",
    )


_BUILD = Arg("build", "a build id, or its last part (default: the latest build)", required=False)

STATUS = command(
    "status",
    summary="show a build of a tool (the latest, or the one named)",
    args=(Arg("tool", "the Toolforge tool name"), _BUILD),
)(_status)

LIST = command(
    "list",
    summary="list a tool's recent builds, newest first",
    args=(Arg("tool", "the Toolforge tool name"),),
)(_list)
