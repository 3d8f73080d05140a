"""What a reaction means: on an announcement's direct message, an acknowledgement.

Adapters report reactions to the bot's own messages in direct conversations
(:class:`bot.message.Reaction`); this decides which command, if any, the
reaction stands for. Any emoji counts: a reaction on an announcement says
"seen", which is all an acknowledgement records.
"""

from __future__ import annotations

import re

from bot.message import Message

# The platforms whose adapters report reactions (IRC has none; mail neither).
REACTING_PLATFORMS = frozenset({"zulip", "slack"})
# The announcement's direct message names itself "(announcement #12)" and says "ack 12";
# a reminder does the same.
_NUMBERS = re.compile(r"\(announcement #(\d+)\)|\back (\d+)\b")


def reaction_line(message: Message) -> str | None:
    """``ack <number>`` for a reaction on one announcement's direct message, else ``None``."""
    reaction = message.reaction
    if reaction is None or not message.direct or not message.sender.verified:
        return None
    numbers = {int(a or b) for a, b in _NUMBERS.findall(reaction.message_text)}
    if len(numbers) != 1:
        return None  # not an announcement, or one naming several: nothing to guess
    return f"ack {numbers.pop()}"
