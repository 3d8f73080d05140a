"""Known secrets (a tool's envvar values), hidden in whatever encoding a log shows them.

Handled: as is; percent-encoded (either case, ``+`` for a space, twice over,
mixed with plain characters as different encoders leave different ones
alone); JSON, JavaScript, Python and C backslash escapes (``\\"``, ``\\u00e4``,
``\\x41``, ``\\/``); HTML and XML character references (``&amp;``,
``&#39;``, ``&#x27;``); base64 and URL-safe base64 of any text that contains
the value (at any alignment, with or without padding); hexadecimal.

The decoding escapes are undone in one pass into a decoded view that keeps,
for each decoded character, the span of the original it came from; a value
found in the view hides that span of the original.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from collections.abc import Iterable

from bot.redact._rule import mask_spans

MIN_LENGTH = 6  # shorter values would shred ordinary words and protect little

_ESCAPE = re.compile(
    r"%(?P<pct>[0-9A-Fa-f]{2})"
    r"|\\u(?P<pair>[dD][89abAB][0-9A-Fa-f]{2}\\u[dD][c-fC-F][0-9A-Fa-f]{2})"  # JSON's UTF-16 pairs
    r"|\\u(?P<u4>[0-9A-Fa-f]{4})|\\U(?P<u8>[0-9A-Fa-f]{8})|\\x(?P<x2>[0-9A-Fa-f]{2})"
    r"|\\(?P<char>[\"'\\/bfnrt])"
    r"|&(?P<entity>#[0-9]{1,7}+|#[xX][0-9A-Fa-f]{1,6}+|[A-Za-z]{2,8}+);"
)
_BACKSLASHED = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _decode_bytes(
    raw: list[tuple[int, int, int]], chars: list[str], spans: list[tuple[int, int]]
) -> None:
    """Append the characters of a run of escaped bytes (``%C3%A4``), each with its span."""
    data = bytes(b for b, _, _ in raw)
    i = 0
    while i < len(data):
        for size in (1, 2, 3, 4):
            try:
                char = data[i : i + size].decode("utf-8")
            except UnicodeDecodeError:
                continue
            break
        else:
            char, size = chr(data[i]), 1  # not UTF-8: one byte, one character
        chars.append(char)
        spans.append((raw[i][1], raw[i + size - 1][2]))
        i += size


def decoded_view(text: str, plus_is_space: bool = False) -> tuple[str, list[tuple[int, int]]]:
    """``text`` with its escapes undone, and for each character the span it came from."""
    chars: list[str] = []
    spans: list[tuple[int, int]] = []
    pending: list[tuple[int, int, int]] = []  # escaped bytes waiting for the rest of a character
    done = 0

    def plain(upto: int) -> None:
        piece = text[done:upto]
        chars.append(piece.replace("+", " ") if plus_is_space else piece)
        spans.extend((pos, pos + 1) for pos in range(done, upto))

    for match in _ESCAPE.finditer(text):
        if match.start() > done and pending:
            _decode_bytes(pending, chars, spans)
            pending = []
        plain(match.start())
        done = match.end()
        kind = match.lastgroup
        value = match.group(kind or 0)
        if kind in ("pct", "x2"):
            pending.append((int(value, 16), match.start(), match.end()))
            continue
        if pending:
            _decode_bytes(pending, chars, spans)
            pending = []
        if kind == "pair":
            high, low = int(value[:4], 16), int(value[6:], 16)
            char = chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        elif kind in ("u4", "u8"):
            char = chr(min(int(value, 16), 0x10FFFF))
        elif kind == "char":
            char = _BACKSLASHED.get(value, value)
        else:
            char = html.unescape(match.group(0))
            if len(char) != 1:
                char = match.group(0)[0]  # not a known entity: keep the '&' and go on
                done = match.start() + 1
        chars.append(char)
        spans.append((match.start(), done))
    if pending:
        _decode_bytes(pending, chars, spans)
    plain(len(text))
    return "".join(chars), spans


def _base64_forms(value: bytes) -> set[str]:
    """The base64 text that any encoding of a text holding ``value`` must contain."""
    forms = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + value).decode()
        start = -(-offset * 8 // 6)  # first character made only of the value's bits
        end = (offset + len(value)) * 8 // 6  # past the last such character
        core = encoded[start:end]
        if len(core) >= MIN_LENGTH:
            forms.add(core)
            forms.add(core.replace("+", "-").replace("/", "_"))
    return forms


class KnownSecrets:
    """Literal values to hide wherever and however they appear."""

    def __init__(self, values: Iterable[str]) -> None:
        plain: set[str] = set()
        for value in values:
            # A multi-line value (a key in an envvar) shows up one line at a time.
            for part in [value, *value.splitlines()]:
                part = part.strip()
                if len(part) >= MIN_LENGTH:
                    plain.add(part)
        encoded: set[str] = set()
        for value in plain:
            raw = value.encode()
            encoded |= _base64_forms(raw)
            encoded.add(binascii.hexlify(raw).decode())
        self._spaces = any(" " in v for v in plain)
        self._plain = _alternation(plain)
        self._encoded = _alternation(encoded, ignore_case=True)
        # In a decoded view, a value that itself looks escaped ("ab%41") shows decoded.
        in_views = set(plain)
        for value in plain:
            for plus_is_space in (False, True):
                once = decoded_view(value, plus_is_space)[0]
                in_views |= {once, decoded_view(once, plus_is_space)[0]}
        self._in_views = _alternation({v for v in in_views if len(v) >= 3})

    def __bool__(self) -> bool:
        return self._plain is not None

    def hide(self, text: str) -> str:
        if self._plain is None:
            return text
        spans = [m.span() for m in self._plain.finditer(text)]
        if self._encoded is not None:
            spans += [m.span() for m in self._encoded.finditer(text)]
        if "%" in text or "\\" in text or "&" in text or "+" in text:
            spans += self._in_view(text, plus_is_space=False)
            # Not only where a + shows: form-encoded twice, the + is %2B until decoded.
            if self._spaces:
                spans += self._in_view(text, plus_is_space=True)
        return mask_spans(text, spans)

    def _in_view(self, text: str, plus_is_space: bool) -> list[tuple[int, int]]:
        assert self._in_views is not None
        view, spans = decoded_view(text, plus_is_space)
        # Twice: a value percent-encoded twice (%2540) or escaped inside an encoding.
        twice, inner = decoded_view(view, plus_is_space)
        found = []
        for source, source_spans in (
            (view, spans),
            (twice, [(spans[a][0], spans[b - 1][1]) for a, b in inner]),
        ):
            for match in self._in_views.finditer(source):
                start, end = match.span()
                found.append((source_spans[start][0], source_spans[end - 1][1]))
        return found


def _alternation(literals: set[str], ignore_case: bool = False) -> re.Pattern[str] | None:
    if not literals:
        return None
    ordered = sorted(literals, key=len, reverse=True)
    return re.compile("|".join(re.escape(s) for s in ordered), re.IGNORECASE if ignore_case else 0)
