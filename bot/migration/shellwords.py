"""Split a shell command line into words while remembering where each came from.

``shlex`` would lose the original spelling (``$HOME/x`` comes back quoted,
which stops the expansion), so every :class:`Word` keeps its span in the line
and commands are cut out of the original text. Operators (``&&``, ``;``,
``|``, redirections) are separate tokens so the grid wrapper's own plumbing
can be told apart from the job's command. It never raises: malformed input
(an unterminated quote) is reported through ``Words.unterminated``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

TokenKind = Literal["word", "control", "redirect"]

_OPERATOR = re.compile(r"&&|\|\||&>>?|\d*(?:>>|<|>)(?:&(?:\d+|-))?|[;|&]")
_WORD_BREAK = set(" \t\n;&|<>")


@dataclass(frozen=True, slots=True)
class Word:
    """One token: ``value`` is unquoted, ``text`` is as written."""

    value: str
    start: int
    end: int
    kind: TokenKind = "word"
    text: str = ""

    @property
    def takes_target(self) -> bool:
        """A redirection such as ``>`` or ``2>>`` that needs the next word as its file."""
        return self.kind == "redirect" and not re.search(r"&(\d+|-)$", self.value)


@dataclass(frozen=True, slots=True)
class Words:
    line: str
    tokens: tuple[Word, ...]
    unterminated: bool = False
    comment: str = ""

    def span(self, first: int, last: int) -> str:
        """The original text from token ``first`` to token ``last`` inclusive."""
        if not self.tokens or first > last:
            return ""
        return self.line[self.tokens[first].start : self.tokens[last].end]


def split(line: str) -> Words:
    tokens: list[Word] = []
    unterminated = False
    comment = ""
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if ch in " \t\n":
            i += 1
            continue
        if ch == "#":
            comment = line[i:]
            break
        match = _OPERATOR.match(line, i)
        if match:
            op = match.group(0)
            kind: TokenKind = "control" if op in ("&&", "||", ";", "|", "&") else "redirect"
            tokens.append(Word(op, i, match.end(), kind, op))
            i = match.end()
            continue
        end, value, broken = _scan_word(line, i)
        unterminated = unterminated or broken
        tokens.append(Word(value, i, end, "word", line[i:end]))
        i = end
    return Words(line, tuple(tokens), unterminated, comment)


def _scan_word(line: str, i: int) -> tuple[int, str, bool]:
    out: list[str] = []
    n = len(line)
    while i < n and line[i] not in _WORD_BREAK:
        ch = line[i]
        if ch == "'":
            close = line.find("'", i + 1)
            if close < 0:
                out.append(line[i + 1 :])
                return n, "".join(out), True
            out.append(line[i + 1 : close])
            i = close + 1
        elif ch == '"':
            i, broken = _scan_double(line, i + 1, out)
            if broken:
                return n, "".join(out), True
        elif ch == "\\":
            if i + 1 < n:
                out.append(line[i + 1])
            i += 2
        elif ch == "$" and line.startswith("$(", i):
            close = _matching_paren(line, i + 1)
            if close < 0:
                out.append(line[i:])
                return n, "".join(out), True
            out.append(line[i : close + 1])
            i = close + 1
        elif ch == "`":
            close = line.find("`", i + 1)
            if close < 0:
                out.append(line[i:])
                return n, "".join(out), True
            out.append(line[i : close + 1])
            i = close + 1
        else:
            out.append(ch)
            i += 1
    return min(i, n), "".join(out), False


def _scan_double(line: str, i: int, out: list[str]) -> tuple[int, bool]:
    n = len(line)
    while i < n:
        ch = line[i]
        if ch == '"':
            return i + 1, False
        if ch == "\\" and i + 1 < n and line[i + 1] in '"\\$`':
            out.append(line[i + 1])
            i += 2
            continue
        out.append(ch)
        i += 1
    return n, True


def _matching_paren(line: str, open_at: int) -> int:
    depth = 0
    for j in range(open_at, len(line)):
        if line[j] == "(":
            depth += 1
        elif line[j] == ")":
            depth -= 1
            if depth == 0:
                return j
    return -1
