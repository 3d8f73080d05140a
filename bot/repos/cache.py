"""What one repository inspection may cost, and each commit read only once.

Every ``migrate`` sub-command plans again, and a plan reads the repository;
without a cache a large repository cost thousands of GitLab requests on every
sub-command. Snapshots are kept per commit (and per whether a token read
them, so a private repository read for a maintainer is never served to anyone
else), a few minutes, a few dozen at most. No I/O here.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from bot.migration.snapshot import Snapshot

# (GitLab, project path, head commit, read with a token)
Key = tuple[str, str, str, bool]


class RequestBudget:
    """How many more requests an inspection may make."""

    def __init__(self, requests: int) -> None:
        self.left = requests
        self.spent_out = False

    def take(self) -> bool:
        if self.left <= 0:
            self.spent_out = True
            return False
        self.left -= 1
        return True


class SnapshotCache:
    """Snapshots by commit; used from the worker threads that read GitLab."""

    def __init__(self, *, ttl: float = 600.0, size: int = 32) -> None:
        self.ttl = ttl
        self.size = size
        self._entries: OrderedDict[Key, tuple[float, Snapshot]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Key) -> Snapshot | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None or found[0] < time.monotonic():
                self._entries.pop(key, None)
                return None
            self._entries.move_to_end(key)
            return found[1]

    def put(self, key: Key, snapshot: Snapshot) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic() + self.ttl, snapshot)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
