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

import re
from collections.abc import Callable
from functools import lru_cache

from bot.chat_keys import irc_lower

# Tags (up to the first space), then ":sender!user@host PRIVMSG <channel> :text": one
# match (about 0.5 us) instead of a dozen string operations. A channel is what the
# library calls one (irc.client.is_channel): it starts with one of #&+!.
_CHANNEL_PRIVMSG = re.compile(r"(?:@[^ ]* )?:([^ !]+)![^ ]* PRIVMSG [#&+!][^ ]* :(.*)", re.DOTALL)


def is_chatter(line: str, nick: str, may_address: Callable[[str], bool]) -> bool:
    """Whether ``line`` is a PRIVMSG to a channel, from a user other than ``nick``, whose
    text neither ``may_address`` the bot nor starts with ``nick`` (a mention)."""
    found = _CHANNEL_PRIVMSG.match(line)
    if found is None:
        return False  # anything else (a server's line, an unusual shape): the full path
    sender, text = found.groups()
    # CTCP delimiter and CTCP low-level quoting: the library splits such messages into
    # several events; they are never commands, but they are rare, so they go its way.
    if "\x01" in text or "\x10" in text:
        return False
    own = _folded(nick)
    if not own or may_address(text):
        return False  # (an empty nick is at the start of every text)
    # Folding costs more than all the rest: a first character that does not fold to the
    # nick's first rules out nearly every sender and text before it is needed. rfc1459
    # folding keeps lengths, so a sender of another length is someone else.
    firsts = _first_characters(own)
    if len(sender) == len(own) and sender[0] in firsts and irc_lower(sender) == own:
        return False  # our own line echoed back: the outbox counts it as delivered
    start = text.lstrip()  # a mention: the text starts with the nick
    return start[:1] not in firsts or irc_lower(start[: len(own)]) != own


_folded = lru_cache(maxsize=8)(irc_lower)


@lru_cache(maxsize=8)
def _first_characters(folded_nick: str) -> frozenset[str]:
    """The characters that fold to the (folded, non-empty) nick's first."""
    first = folded_nick[0]
    return frozenset({first, *(c for c in map(chr, range(128)) if irc_lower(c) == first)})
