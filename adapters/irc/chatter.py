"""Channel chatter recognised on the raw line, before the IRC library parses it.

Nearly every line a bot in a busy channel receives is people talking to each
other. The ``irc`` library would parse each one, build two events (the raw
line, then the message) and dispatch both through its reactor, only for the
adapter to find that the core does not care. This test answers "is this a
channel message the bot can ignore?" from the bytes alone, and is
conservative: anything it is not sure about (tags aside, any unusual shape,
CTCP, our own echoed lines, a line that starts like a command or a mention)
takes the library's full path, exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from bot.chat_keys import irc_lower

_PRIVMSG = "PRIVMSG "
_CHANNEL_PREFIXES = "#&+!"  # what the library calls a channel (irc.client.is_channel)


def is_chatter(line: str, nick: str, may_address: Callable[[str], bool]) -> bool:
    """Whether ``line`` is a PRIVMSG to a channel, from a user other than ``nick``, whose
    text neither ``may_address`` the bot nor starts with ``nick`` (a mention)."""
    start = 0
    if line.startswith("@"):  # message tags: not needed to ignore a line
        start = line.find(" ") + 1
        if start == 0:
            return False
    if not line.startswith(":", start):
        return False
    space = line.find(" ", start)
    if space < 0 or not line.startswith(_PRIVMSG, space + 1):
        return False
    prefix = line[start + 1 : space]
    sender, bang, _ = prefix.partition("!")
    if not bang or not sender:
        return False  # from a server (or malformed): the full path
    target_at = space + 1 + len(_PRIVMSG)
    colon = line.find(" :", target_at)
    if colon < 0:
        return False
    target = line[target_at:colon]
    if not target or target[0] not in _CHANNEL_PREFIXES or " " in target:
        return False
    text = line[colon + 2 :]
    # CTCP delimiter and CTCP low-level quoting: the library splits such messages into
    # several events; they are never commands, but they are rare, so they go its way.
    if "\x01" in text or "\x10" in text:
        return False
    own = _folded(nick)
    # rfc1459 case folding keeps lengths: a nick of another length is someone else's,
    # and the text's first len(nick) characters are enough to compare with it.
    if len(sender) == len(own) and irc_lower(sender) == own:
        return False  # our own line echoed back: the outbox counts it as delivered
    return not (may_address(text) or irc_lower(text.lstrip()[: len(own)]) == own)


_folded = lru_cache(maxsize=8)(irc_lower)
