"""One redaction rule: a name (for tests and the catalogue) and what it does to a line."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

MASK = "[REDACTED]"


@dataclass(frozen=True, slots=True)
class Rule:
    """``apply`` returns the line with what the rule recognises replaced by :data:`MASK`.

    Every rule must run in time linear in the line's length: log lines come
    from the Internet, and one backtracking pattern would let a long line
    stall the bot.
    """

    name: str
    apply: Callable[[str], str]
    # Lowercase substrings one of which any line the rule can change contains: a
    # quick test that spares most lines the rule's scan. Empty: always apply.
    hints: tuple[str, ...] = ()


def pattern_rule(
    name: str, pattern: str, replacement: str = MASK, hints: tuple[str, ...] = ()
) -> Rule:
    """A rule that replaces every match of ``pattern`` (``\\1``-style groups allowed)."""
    compiled = re.compile(pattern)
    return Rule(name, lambda text: compiled.sub(replacement, text), hints)


def keep_group_rule(name: str, pattern: str, hints: tuple[str, ...] = ()) -> Rule:
    """A rule for patterns of the form ``(context)secret``: keeps group 1, masks the rest."""
    return pattern_rule(name, pattern, r"\1" + MASK, hints)


def mask_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with each (start, end) span replaced by :data:`MASK`; overlapping or
    touching spans become one mask."""
    if not spans:
        return text
    out: list[str] = []
    done = 0
    for start, end in sorted(spans):
        if end <= done:
            continue
        if start > done:
            out.append(text[done:start])
        elif out and out[-1] == MASK:
            done = end
            continue
        out.append(MASK)
        done = end
    out.append(text[done:])
    return "".join(out)
