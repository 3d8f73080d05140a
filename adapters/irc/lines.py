"""IRC-safe text: control characters stripped, lines split under the byte limit.

Everything the bot sends passes through here. Text coming from outside
(tool names, job names, log lines, what users typed) may hold CR/LF, NUL,
CTCP markers or IRC formatting codes; none of them may reach the wire, or a
job named ``x\\r\\nQUIT`` would make the bot quit.
"""

from __future__ import annotations

import re
import unicodedata

#: The whole line, tags excluded, including the trailing CR LF (RFC 1459 2.3).
IRC_LINE_BYTES = 512

# C0 controls except LF (kept as a line break until rendering), DEL, C1
# controls, and the bidi embedding/override characters that let a name
# display as something else.
_CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_FORBIDDEN_ON_WIRE = re.compile("[\r\n\x00]")
# An mIRC colour code, which must not be cut between \x03 and its digits.
_COLOUR_TAIL = re.compile("\x03(?:\\d{1,2}(?:,\\d{0,2})?)?$")


class UnsafeLine(ValueError):
    """A line about to be sent still holds CR, LF or NUL."""


def clean_text(text: str, tab_width: int = 4) -> str:
    """Text made safe to render: every line break becomes LF, other controls vanish."""
    text = _LINE_BREAKS.sub("\n", text).expandtabs(tab_width)
    return _CONTROLS.sub("", text)


def one_line(text: str) -> str:
    """Text for a single-line field (a table cell, a badge): line breaks become spaces."""
    return clean_text(text).replace("\n", " ")


def check_wire(line: str) -> str:
    """Refuse (rather than repair) a line with CR, LF or NUL: that is a bug upstream."""
    if _FORBIDDEN_ON_WIRE.search(line):
        raise UnsafeLine(f"refusing to send a line with CR/LF/NUL: {line[:60]!r}")
    return line


def payload_budget(own_mask: str, command: str, target: str) -> int:
    """Bytes left for the text of ``:mask COMMAND target :text\\r\\n`` as relayed."""
    overhead = len(f":{own_mask} {command} {target} :\r\n".encode())
    return IRC_LINE_BYTES - overhead


def _fit(text: str, limit: int) -> int:
    """How many characters of ``text`` fit in ``limit`` UTF-8 bytes."""
    encoded = text.encode()
    if len(encoded) <= limit:
        return len(text)
    cut = limit
    while cut > 0 and (encoded[cut] & 0xC0) == 0x80:  # continuation byte
        cut -= 1
    return len(encoded[:cut].decode())


def _hard_cut(text: str, cut: int) -> int:
    """Move a cut inside a word back off a colour code or a combining mark."""
    colour = _COLOUR_TAIL.search(text, max(0, cut - 6), cut)
    if colour is not None and colour.start() > 0:
        cut = colour.start()
    while cut > 1 and unicodedata.combining(text[cut]):
        cut -= 1
    return cut


def split_line(text: str, limit: int) -> list[str]:
    """Split one line into pieces of at most ``limit`` UTF-8 bytes.

    Pieces end at spaces where possible; a word longer than a whole piece is
    cut on a character boundary. No piece is empty unless ``text`` is.
    """
    if limit < 8:
        raise ValueError(f"line budget too small: {limit} bytes")
    pieces: list[str] = []
    while len(text.encode()) > limit:
        if text.startswith(" "):
            text = text.lstrip(" ")  # leading spaces are no place to cut: lose them
            continue
        cut = _fit(text, limit)
        space = text.rfind(" ", 0, cut + 1)
        if space > 0 and text[:space].strip():
            piece, text = text[:space].rstrip(" "), text[space + 1 :].lstrip(" ")
        else:
            cut = _hard_cut(text, cut)
            piece, text = text[:cut], text[cut:]
        if piece:
            pieces.append(piece)
    if text or not pieces:
        pieces.append(text)
    return pieces
