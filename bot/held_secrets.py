"""Secret arguments waiting for their confirmation code, in memory only.

A command such as ``envvars set`` takes a value that must never be written
anywhere: not in the confirmations table, not in a log, not in the audit
trail. While its code waits to be used, the value lives here, keyed by who
asked and the code, and nowhere else; a restart forgets it (the person is
asked to send the command again), which is the point.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

WITHHELD = "<withheld>"


class HeldSecrets:
    def __init__(self) -> None:
        self._held: dict[tuple[str, str], tuple[dict[str, Any], datetime]] = {}

    def hold(
        self, chat_key: str, code: str, values: dict[str, Any], now: datetime, ttl_seconds: float
    ) -> None:
        self._purge(now)
        if values:
            self._held[(chat_key, code)] = (dict(values), now + timedelta(seconds=ttl_seconds))

    def take(self, chat_key: str, code: str, now: datetime) -> dict[str, Any]:
        """The values held for this code (once), or nothing if they expired or were forgotten."""
        self._purge(now)
        values, _ = self._held.pop((chat_key, code), ({}, now))
        return values

    def _purge(self, now: datetime) -> None:
        for key in [k for k, (_, expires) in self._held.items() if expires <= now]:
            del self._held[key]


def split_secrets(
    values: dict[str, Any], secret: frozenset[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(what may be stored, what only memory may hold)."""
    public = {k: v for k, v in values.items() if k not in secret}
    hidden = {k: v for k, v in values.items() if k in secret and v is not None}
    return public, hidden


def loggable(values: dict[str, Any], secret: frozenset[str]) -> dict[str, Any]:
    """``values`` fit for a log line: secret ones replaced by a marker."""
    return {k: (WITHHELD if k in secret and v is not None else v) for k, v in values.items()}
