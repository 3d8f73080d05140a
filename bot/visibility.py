"""Who sees what a tool runs: one rule for every command that shows it.

Anyone may see a tool's job names, kinds, images, schedules and states, the
web front and its builds' outcomes: Toolforge shows them to anyone too. What
the tool runs and holds is for its maintainers only: job command lines,
envvar names, the contents of the files planned from its repository, and its
logs (which a maintainer command reads). Whatever is shown is also redacted.
"""

from __future__ import annotations

from bot.context import Context
from bot.directory import require_tool
from bot.errors import DirectoryUnavailable

HIDDEN = "(shown to the tool's maintainers)"


async def sees_internals(ctx: Context, tool: str) -> bool:
    """Whether the speaker may see what ``tool`` runs: they maintain it.

    When the directory cannot say (LDAP down), nobody is taken for a maintainer.
    """
    if ctx.account is None:
        return False
    try:
        return ctx.account in await require_tool(ctx.services.directory, tool)
    except DirectoryUnavailable:
        return False


async def known_tool(ctx: Context, tool: str) -> None:
    """Raise ``UnknownTool`` for a tool the directory does not know (with a near name).

    For public commands: when the directory cannot be asked, the command goes
    on and the Toolforge API says whether the tool exists.
    """
    try:
        await require_tool(ctx.services.directory, tool)
    except DirectoryUnavailable:
        pass
