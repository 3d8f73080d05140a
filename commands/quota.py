"""quota <tool>: what the tool may run and store, and how much of it is used.

Public, like ``toolforge jobs quota`` shows it to anyone who can become the
tool: limits and counts say nothing about what the tool runs. The image
storage of the build service comes from the builds API; when only that one
fails, the jobs quota is still shown with a line saying so.
"""

from __future__ import annotations

import asyncio

from bot.commands import Arg, Invocation, command
from bot.context import Context
from bot.errors import ToolforgeError
from bot.reply import Badge, Inline, Part, Reply, Strong, Table, Text, Tone
from bot.toolforge import QuotaItem
from bot.visibility import known_tool


def _usage(item: QuotaItem) -> Inline:
    if item.used is None:
        return "(per job)"
    if item.exhausted:
        return Badge(f"{item.used} (all used)", Tone.ERROR)
    return item.used


async def _registry(ctx: Context, tool: str) -> list[QuotaItem] | str:
    try:
        return await ctx.services.toolforge.registry_quota(tool)
    except ToolforgeError as error:
        return error.sentence


async def _quota(ctx: Context, inv: Invocation) -> Reply:
    tool: str = inv["tool"]
    await known_tool(ctx, tool)
    jobs, registry = await asyncio.gather(ctx.services.toolforge.quotas(tool), _registry(ctx, tool))
    items = list(jobs) + (registry if isinstance(registry, list) else [])
    rows = tuple((i.category, i.name, _usage(i), i.limit) for i in items)
    parts: list[Part] = [
        Text.of(Strong(f"Quota of {tool}:")),
        Table(("category", "item", "used", "limit"), rows),
    ]
    if isinstance(registry, str):
        parts.append(Text.of(Badge("image storage unknown", Tone.WARN), f" {registry}"))
    full = [f"{i.category}: {i.name}" for i in items if i.exhausted]
    if full:
        parts.append(
            Text.of(
                Badge("exhausted", Tone.ERROR),
                f" {'; '.join(full)}: nothing more of that kind can start. Free some, or ask "
                "for more: https://w.wiki/6YLP",
            )
        )
    summary = f"quota of {tool}" + (f": {len(full)} exhausted" if full else "")
    return Reply(tuple(parts), summary=summary)


COMMAND = command(
    "quota",
    summary="show what a tool may run and store, and how much of it is used",
    args=(Arg("tool", "the Toolforge tool name"),),
)(_quota)
