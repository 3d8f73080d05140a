"""Signed Slack requests seen recently, to refuse one sent again (a replay)."""

from __future__ import annotations

import time
from collections import OrderedDict

# Bolt refuses requests whose timestamp is older than this: a replay must come sooner.
REPLAY_WINDOW = 5 * 60.0


class Replays:
    def __init__(self, *, window: float, size: int = 20_000) -> None:
        self._window = window
        self._size = size
        self._seen: OrderedDict[str, float] = OrderedDict()

    def seen(self, signature: str) -> bool:
        """Record ``signature``; ``True`` if it was already seen within the window."""
        now = time.monotonic()
        while self._seen and next(iter(self._seen.values())) < now:
            self._seen.popitem(last=False)
        if signature in self._seen:
            return True
        self._seen[signature] = now + self._window
        while len(self._seen) > self._size:
            self._seen.popitem(last=False)
        return False
