"""images <tool>: the images the tool's jobs can use, and the deprecated ones they still use.

The jobs API lists only images a new job may use (its ``/images``: the
pre-built stable ones and the tool's own builds). An image that became
deprecated is no longer listed there, but a job created earlier still runs
on it, and the API marks that job's ``image_state``: those images are listed
too, marked, with the jobs that use them.
"""

from __future__ import annotations

import asyncio

from bot.commands import Arg, Invocation, command
from bot.context import Context
from bot.reply import Badge, Inline, Part, Reply, Strong, Table, Text, Tone
from bot.visibility import known_tool

_STATE = {"stable": Tone.OK, "deprecated": Tone.WARN}


async def _images(ctx: Context, inv: Invocation) -> Reply:
    tool: str = inv["tool"]
    await known_tool(ctx, tool)
    client = ctx.services.toolforge
    available, jobs = await asyncio.gather(client.images(tool), client.list_jobs(tool))
    used_by: dict[str, list[str]] = {}
    states: dict[str, str] = {short: "stable" for short in available}
    for job in jobs:
        used_by.setdefault(job.image, []).append(job.name)
        if job.image not in states or job.image_state == "deprecated":
            states[job.image] = job.image_state or "unknown"
    rows: list[tuple[Inline, ...]] = []
    for short in sorted(states, key=lambda s: (states[s] != "deprecated", _own(tool, s), s)):
        state = states[short]
        kind = "built by the tool" if _own(tool, short) else "pre-built"
        jobs_here = ", ".join(sorted(used_by.get(short, []))) or ""
        rows.append((short, kind, Badge(state, _STATE.get(state, Tone.MUTED)), jobs_here))
    parts: list[Part] = [
        Text.of(Strong(f"Images for jobs of {tool}:")),
        Table(("image", "kind", "state", "used by"), tuple(rows)),
    ]
    old = sorted(s for s, state in states.items() if state == "deprecated")
    if old:
        parts.append(
            Text.of(
                Badge("deprecated", Tone.WARN),
                f" {', '.join(old)}: new jobs cannot use them and they will stop being "
                f"maintained; move to a stable image or the build service "
                f"({ctx.hint(f'migrate {tool}')}).",
            )
        )
    summary = f"{len(available)} images for {tool}"
    summary += f", {len(old)} deprecated in use" if old else ""
    return Reply(tuple(parts), summary=summary)


def _own(tool: str, short: str) -> bool:
    return short.startswith(f"tool-{tool}/")


COMMAND = command(
    "images",
    summary="list the images a tool's jobs can use; deprecated ones still in use are marked",
    args=(Arg("tool", "the Toolforge tool name"),),
)(_images)
