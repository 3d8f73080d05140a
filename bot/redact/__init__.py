"""Remove secrets from text before it reaches any chat.

Over-redaction is acceptable, leaking is not: the rules prefer to hide a
little too much of a line (the rest of a ``Cookie:`` header, every literal
argument of a ``login(...)`` call) over guessing where a secret ends.

Two sources of knowledge: the values a caller knows are secret (a tool's
envvar values), hidden in any encoding a log may show them in (see
``_known``); and rules for the shapes secrets take in the logs of the
languages and libraries tools use, one module per family (``_assignments``,
``_calls``, ``_commands``, ``_urls``, ``_tokens``). Every rule runs in linear
time: log lines come from the Internet, and a backtracking pattern would let
one long line stall the bot.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.redact._redactor import MAX_LINE, RULES, Redactor
from bot.redact._rule import MASK, Rule

__all__ = [
    "MASK",
    "MAX_LINE",
    "RULES",
    "Redactor",
    "Rule",
    "redact",
    "redact_lines",
    "redact_positions",
]


def redact(text: str, known_secrets: Iterable[str] = ()) -> str:
    """``text`` with every secret we can recognise replaced by ``[REDACTED]``.

    ``known_secrets`` are literal values (a tool's envvar values) to hide
    wherever they appear, in any encoding the redactor knows; values shorter
    than 6 characters are ignored because masking them would shred words.
    Text of several lines is redacted line by line, as a log is.
    """
    return "\n".join(redact_lines(text.split("\n"), known_secrets))


def redact_lines(lines: Iterable[str], known_secrets: Iterable[str] = ()) -> list[str]:
    """Redact log lines, hiding private-key blocks that span several lines."""
    return [line for line in redact_positions(lines, known_secrets) if line is not None]


def redact_positions(lines: Iterable[str], known_secrets: Iterable[str] = ()) -> list[str | None]:
    """One entry per input line: its redacted text, or ``None`` where a key block hides it."""
    return Redactor(known_secrets).positions(lines)
