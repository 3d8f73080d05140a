"""maintainers <tool>: who maintains a tool (public in the directory), for "who do I ask?"."""

from __future__ import annotations

from bot.commands import Arg, Invocation, command
from bot.context import Context
from bot.directory import require_tool
from bot.reply import Link, Reply, Strong, Text

TOOLSADMIN = "https://toolsadmin.wikimedia.org/tools/id/{tool}"


async def _maintainers(ctx: Context, inv: Invocation) -> Reply:
    tool: str = inv["tool"]
    people = sorted(await require_tool(ctx.services.directory, tool))
    page = TOOLSADMIN.format(tool=tool)
    if not people:
        sentence = f"{tool} has no maintainers listed: it may be abandoned. Its page: "
        return Reply((Text.of(sentence, Link(page, page)),), summary=f"{tool}: no maintainers")
    names = ", ".join(people[:-1]) + f" and {people[-1]}" if len(people) > 1 else people[0]
    return Reply(
        (
            Text.of(Strong(tool), f" is maintained by {names} (developer accounts)."),
            Text.of("Ask them about the tool itself; its page: ", Link(page, page)),
        ),
        summary=f"{tool}: maintained by {names}",
    )


COMMAND = command(
    "maintainers",
    summary="who maintains a tool (who to ask about it)",
    args=(Arg("tool", "the Toolforge tool name"),),
)(_maintainers)
