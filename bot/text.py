"""Small text helpers for echoing user input back safely."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def quote_user(value: str, limit: int = 40) -> str:
    """User input as it may appear inside a sentence: quoted, no control characters, short."""
    clean = _CONTROL.sub("", value)
    if len(clean) > limit:
        clean = clean[: limit - 1] + "…"
    return f"'{clean}'"
