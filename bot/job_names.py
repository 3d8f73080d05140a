"""A job name that is not one of the tool's: the sentence, with the nearest name."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from bot.errors import UsageError
from bot.text import quote_user


def no_such_job(tool: str, wanted: str, names: Iterable[str]) -> UsageError:
    """``<tool> has no job 'x'; did you mean y? (its jobs: ...)``."""
    known = list(names)
    near = difflib.get_close_matches(wanted.lower(), known, n=1, cutoff=0.6)
    hint = f"; did you mean {near[0]}?" if near else ""
    listed = ", ".join(known) or "none"
    return UsageError(f"{tool} has no job {quote_user(wanted)}{hint} (its jobs: {listed})")
