"""How often one person may ask, and how many wrong confirmation codes they may try.

Built on ``limits`` (moving windows in memory): a person who sends commands
too fast gets one sentence saying when they may go on, then silence until
then, so that one person cannot fill a channel's flood-control queue ahead of
everyone else. People the chat service does not identify are counted per
nick and also all together per platform (a nick costs nothing to change).
Wrong confirmation codes are counted per chat identity; past the limit,
``confirm`` is locked until the window has passed, even for the right code,
so guessing a 4-digit code is hopeless.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from limits import RateLimitItem, parse, storage, strategies

from bot.message import ChatIdentity


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    retry_after: float = 0.0  # seconds
    first_refusal: bool = False  # the one refusal that is answered


ALLOWED = Verdict(True)


class RateLimits:
    def __init__(
        self,
        *,
        commands: str,
        unidentified_commands: str,
        unidentified_total: str,
        wrong_codes: str,
    ) -> None:
        self._limiter = strategies.MovingWindowRateLimiter(storage.MemoryStorage())
        self.commands = parse(commands)
        self.unidentified = parse(unidentified_commands)
        self.unidentified_total = parse(unidentified_total)
        self.wrong_codes = parse(wrong_codes)
        self._told: dict[str, float] = {}  # who was told to wait, until when

    def command(self, sender: ChatIdentity) -> Verdict:
        """Count one command from ``sender``; whether it may run."""
        if sender.verified:
            checks = [(self.commands, f"cmd:{sender.key()}")]
        else:
            checks = [
                (self.unidentified, f"anon:{sender.platform}:{sender.display.lower()}"),
                (self.unidentified_total, f"anon:{sender.platform}"),
            ]
        for rate, key in checks:
            if not self._limiter.hit(rate, key):
                return self._refused(rate, key, told_key=f"told:{checks[0][1]}")
        return ALLOWED

    def confirm_locked(self, chat_key: str) -> Verdict:
        """Whether ``chat_key`` tried too many wrong codes (and may not try any now)."""
        rate, key = self.wrong_codes, f"wrong:{chat_key}"
        if self._limiter.test(rate, key):
            return Verdict(True)
        return Verdict(False, self._reset_in(rate, key))

    def wrong_code(self, chat_key: str) -> bool:
        """Count a wrong code; ``True`` when this one locks ``confirm``."""
        rate, key = self.wrong_codes, f"wrong:{chat_key}"
        self._limiter.hit(rate, key)
        return not self._limiter.test(rate, key)

    def describe(self) -> str:
        """The limits, as ``help`` says them."""
        return (
            f"Limits: {self.commands.amount} commands {_per(self.commands)} for each person "
            f"({self.unidentified.amount} {_per(self.unidentified)} for people the chat "
            f"service does not identify); after {self.wrong_codes.amount} wrong confirmation "
            f"codes {_per(self.wrong_codes)}, confirm is locked until that time has passed."
        )

    def _refused(self, rate: RateLimitItem, key: str, told_key: str) -> Verdict:
        wait = self._reset_in(rate, key)
        now = time.time()
        first = self._told.get(told_key, 0.0) <= now
        if first:
            self._told[told_key] = now + wait
            if len(self._told) > 10_000:
                self._told = {k: v for k, v in self._told.items() if v > now}
        return Verdict(False, wait, first_refusal=first)

    def _reset_in(self, rate: RateLimitItem, key: str) -> float:
        stats = self._limiter.get_window_stats(rate, key)
        return max(1.0, stats.reset_time - time.time())


def _per(rate: RateLimitItem) -> str:
    """The window of ``rate`` in words: "a minute", "in 10 minutes"."""
    unit = rate.GRANULARITY.name
    return f"in {rate.multiples} {unit}s" if rate.multiples > 1 else f"a {unit}"
