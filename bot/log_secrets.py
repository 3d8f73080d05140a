"""The values to hide in what a chat is shown of a tool's logs, or none of the logs.

Logs are redacted with the tool's envvar values (its secrets, wherever and
however they appear) on top of the patterns. Without those values a log line
could show a secret in clear, so when they cannot be read (the envvars API
answers 500 or 403, or does not answer) the caller shows no log line at all
and says why: fail closed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.errors import SecretsUnreadable, ToolforgeError

if TYPE_CHECKING:
    from bot.toolforge import ToolforgeClient


async def secrets_to_hide(client: ToolforgeClient, tool: str, withheld: str) -> list[str]:
    """``tool``'s envvar values; if they cannot be read, :class:`SecretsUnreadable`
    saying that ``withheld`` (what the caller was about to show) was not shown, and why."""
    try:
        return await client.envvar_values(tool)
    except ToolforgeError as error:
        raise SecretsUnreadable(
            f"I showed no {withheld}: I hide the values of {tool}'s envvars in them, "
            f"and could not read those values: {error.sentence}"
        ) from error
