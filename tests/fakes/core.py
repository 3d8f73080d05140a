"""What stands in for the core in adapter tests: the real ordering, a canned answer.

Adapter tests are about a transport, not about commands; their cores answer
simply but keep what every core does for an adapter: one person's messages in
arrival order (the real :class:`bot.ordering.SpeakerQueues`), and the cheap
"could this be for the bot" test on the real prefix and name. They count what
they were given and what they finished, so that a test can wait until every
message it sent has been dealt with instead of waiting a while.
"""

from __future__ import annotations

from bot.adapter import Work
from bot.addressing import may_address
from bot.ordering import SpeakerQueues


class TestCore:
    """Mix into a test core that defines ``handle``."""

    prefix = "!tf"
    bot_name = "forgebot"
    _queues: SpeakerQueues | None = None
    submitted = 0
    finished = 0

    def submit(self, speaker: str, work: Work) -> None:
        if self._queues is None:
            self._queues = SpeakerQueues()
        self.submitted += 1

        async def counted() -> None:
            try:
                await work()
            finally:
                self.finished += 1

        self._queues.submit(speaker, counted)

    @property
    def settled(self) -> bool:
        """Every message the adapter submitted so far was handled and its reply sent."""
        return self.finished == self.submitted

    def may_address(self, text: str) -> bool:
        return may_address(text, self.prefix, self.bot_name)
