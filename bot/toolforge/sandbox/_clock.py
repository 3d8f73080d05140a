"""The sandbox's simulated time: driven by tests, or running with the wall clock (faster)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


class SimClock:
    """``now()`` of the simulated world.

    Manual by default: time stands still until :meth:`advance` moves it, so a
    test decides exactly when a build finishes or a job crashes. With
    :meth:`run_in_real_time` it also follows the wall clock, ``speed`` times
    faster (``forgebot console --sandbox`` uses this for a lively demo).
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._start = (start or datetime.now(UTC)).replace(microsecond=0)
        self._offset = 0.0
        self._speed = 0.0
        self._wall_start = time.monotonic()

    @property
    def speed(self) -> float:
        """Simulated seconds per wall-clock second (0: manual)."""
        return self._speed

    def now(self) -> datetime:
        elapsed = self._offset + (time.monotonic() - self._wall_start) * self._speed
        return self._start + timedelta(seconds=elapsed)

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the sandbox's clock only goes forward")
        self._offset += seconds

    def run_in_real_time(self, speed: float = 1.0) -> None:
        """Follow the wall clock from now on, ``speed`` times faster (0 stops it)."""
        self._offset += (time.monotonic() - self._wall_start) * self._speed
        self._wall_start = time.monotonic()
        self._speed = max(0.0, speed)
