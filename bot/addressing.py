"""Is a message for the bot, and if so, what command line does it carry?"""

from __future__ import annotations

import re

from bot.message import Message


def command_line(message: Message, prefix: str, bot_name: str) -> str | None:
    """The text after the prefix / mention, or ``None`` for ordinary chatter.

    Direct conversations and structural mentions need no prefix; in rooms the
    line must start with the prefix (``!tf status x``) or the bot's name
    (``forgebot: status x``, ``forgebot, status x``).
    """
    text = message.text.strip()
    stripped = _strip_address(text, prefix, bot_name)
    if stripped is not None:
        return stripped
    if message.direct or message.mentioned:
        return text
    return None


def _strip_address(text: str, prefix: str, bot_name: str) -> str | None:
    if prefix and text.startswith(prefix):
        rest = text[len(prefix) :]
        if not rest or rest[0].isspace():
            return rest.strip()
        return None
    match = re.match(rf"@?{re.escape(bot_name)}\s*[:,]\s*", text, re.IGNORECASE)
    if match:
        return text[match.end() :].strip()
    return None


def may_address(text: str, prefix: str, bot_name: str) -> bool:
    """A cheap test of whether a room message could be for the bot (adapters use it to
    skip identity lookups for ordinary chatter, the IRC adapter to skip the line
    altogether); :func:`command_line` decides. It must accept every line that
    :func:`command_line` accepts: that one strips all leading whitespace, tabs too."""
    start = text.lstrip().lstrip("@ ")
    if not start[: max(len(prefix), len(bot_name))].isascii():
        return True  # case mappings beyond ASCII (U+0130): command_line's regex decides
    # Only the start is lowered: this runs for every line of a busy channel.
    if prefix and start[: len(prefix)].lower() == prefix.lower():
        return True
    return start[: len(bot_name)].lower() == bot_name.lower()
