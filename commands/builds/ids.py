"""Which build a command means: an id, its short suffix, or the latest / the running one."""

from __future__ import annotations

from bot.context import Context
from bot.errors import UsageError
from bot.toolforge import Build

PIPELINE = "-buildpacks-pipelinerun-"


def full_id(tool: str, given: str) -> str:
    """``x7k2q`` -> ``<tool>-buildpacks-pipelinerun-x7k2q``; a full id stays as it is."""
    return given if PIPELINE in given else f"{tool}{PIPELINE}{given}"


def short_id(build: Build) -> str:
    """The random suffix that tells a tool's builds apart (what ``build list`` shows)."""
    return build.build_id.rpartition(PIPELINE)[2] or build.build_id


async def chosen_build(ctx: Context, tool: str, given: str | None) -> Build:
    """The build ``given`` names, or the tool's latest one."""
    client = ctx.services.toolforge
    if given:
        return await client.get_build(tool, full_id(tool, given))
    latest = await client.latest_build(tool)
    if latest is None:
        raise UsageError(
            f"{tool} has no builds yet; {ctx.hint(f'build start {tool} --repo <git URL>')} "
            "starts one"
        )
    return latest


async def unfinished_build(ctx: Context, tool: str, given: str | None) -> Build:
    """The build to cancel: the one named, else the only one still pending or running."""
    if given:
        build = await ctx.services.toolforge.get_build(tool, full_id(tool, given))
        if build.finished:
            raise UsageError(
                f"build {short_id(build)} of {tool} has already finished ({build.state}); "
                "there is nothing to cancel"
            )
        return build
    builds = await ctx.services.toolforge.list_builds(tool)
    going = [b for b in builds if not b.finished]
    if not going:
        raise UsageError(f"no build of {tool} is pending or running; there is nothing to cancel")
    if len(going) > 1:
        names = ", ".join(short_id(b) for b in going)
        raise UsageError(f"{len(going)} builds of {tool} are going ({names}); say which one")
    return going[0]
