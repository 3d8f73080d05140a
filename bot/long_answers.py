"""What happens to an answer longer than the platform carries comfortably (the policy).

Adapters only report what fits (:class:`bot.message.Fit`); here the core
decides where a long answer goes, in this order:

1. a platform that attaches files (Slack, Zulip) gets a short summary with
   the whole answer attached;
2. where the bot's HTTP server has a public address, the answer becomes a
   short-lived page (:mod:`bot.answer_pages`) and the chat gets a summary and
   its link;
3. on a line-based chat without one (IRC), the first page, and ``more``
   gives the next, per asker (as Sopel and Limnoria page long output).

A private answer stays private: its summary, link and pages are in the
private reply only, and its ``summary`` (which an adapter may post in the
room as a notice) never holds the link.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.answer_pages import AnswerPages
from bot.message import Fit, Message
from bot.reply import Link, Part, Reply, Text, plain_text
from bot.reply_size import size, split

#: People with pages waiting for ``more``; the oldest are forgotten first.
MAX_ASKERS = 1000
_SUMMARY_CHARS = 200


@dataclass
class _Waiting:
    pages: list[tuple[Part, ...]]
    private: bool
    until: datetime


def asker(message: Message) -> str:
    """Whose ``more`` this is: the verified identity, else the nick on that platform."""
    sender = message.sender
    return sender.key() if sender.verified else f"{sender.platform}:?{sender.display}"


class LongAnswers:
    """Shapes every answer to what its platform carries; keeps the rest for ``more``."""

    def __init__(self, clock: Callable[[], datetime], ttl_seconds: int = 3600) -> None:
        self._now = clock
        self.ttl_seconds = ttl_seconds
        self.pages: AnswerPages | None = None  # set while the HTTP server has a public address
        self._waiting: OrderedDict[str, _Waiting] = OrderedDict()

    def shape(self, message: Message, reply: Reply, prefix: str) -> Reply:
        """``reply`` as it should go out on ``message``'s platform."""
        fit = message.fit
        aside = reply.aside
        if aside is not None:
            aside = self._shaped(fit, aside, asker(message), prefix, keep=False)
        shaped = self._shaped(fit, reply, asker(message), prefix, keep=True)
        return dataclasses.replace(shaped, aside=aside) if aside is not reply.aside else shaped

    def _shaped(self, fit: Fit, reply: Reply, who: str, prefix: str, *, keep: bool) -> Reply:
        if fit.lines is None and fit.chars is None:
            return reply  # the platform carries any answer whole: no need to measure it
        lines, chars = size(reply)
        too_many = fit.lines is not None and lines > fit.lines
        if not too_many and (fit.chars is None or chars <= fit.chars):
            return reply
        heading = _heading(reply)
        if fit.uploads:
            note = Text.of(f"The whole answer ({lines} lines) is attached.")
            return self._summary(reply, heading, note, attached=reply)
        if self.pages is not None:
            url, until = self.pages.add(reply, heading)
            note = Text.of(f"The whole answer ({lines} lines), until {until:%H:%M} UTC: ",
                           Link(url, url))  # fmt: skip
            return self._summary(reply, heading, note)
        if fit.lines is None or not keep:
            return reply  # nowhere better to put it: the adapter cuts as it always did
        pages = split(reply, fit.lines - 1)
        if len(pages) < 2:
            return reply
        self._keep(who, _Waiting(pages[1:], reply.private, self._now()))
        rest = lines - size(Reply(pages[0]))[0]
        more = Text.of(f"… {rest} more lines: say {prefix}more")
        return dataclasses.replace(reply, parts=(*pages[0], more), aside=None)

    def _summary(self, reply: Reply, heading: str, note: Text,
                 attached: Reply | None = None) -> Reply:  # fmt: skip
        return Reply((Text.of(heading), note), private=reply.private, is_error=reply.is_error,
                     summary=reply.summary, meta=dict(reply.meta), attached=attached)  # fmt: skip

    def _keep(self, who: str, waiting: _Waiting) -> None:
        self._waiting.pop(who, None)
        self._waiting[who] = waiting
        while len(self._waiting) > MAX_ASKERS:
            self._waiting.popitem(last=False)

    def next_page(self, message: Message, prefix: str) -> Reply:
        """The next page of the asker's last long answer, or a sentence saying there is none."""
        who = asker(message)
        waiting = self._waiting.get(who)
        age = (self._now() - waiting.until).total_seconds() if waiting else 0
        if waiting is None or age > self.ttl_seconds:
            self._waiting.pop(who, None)
            return Reply.text("There is nothing more: no long answer of yours is waiting "
                              "(they are kept an hour).")  # fmt: skip
        page = waiting.pages.pop(0)
        parts: tuple[Part, ...] = page
        if waiting.pages:
            left = sum(size(Reply(p))[0] for p in waiting.pages)
            parts = (*page, Text.of(f"… {left} more lines: say {prefix}more"))
        else:
            del self._waiting[who]
        return Reply(parts, private=waiting.private, summary="the next page")


def _heading(reply: Reply) -> str:
    """The first line of the answer (what it is about), or its summary."""
    first = reply.parts[0] if reply.parts else None
    text = plain_text(Reply((first,))).splitlines()[0] if isinstance(first, Text) else ""
    text = text.strip() or reply.summary or "The answer"
    return text if len(text) <= _SUMMARY_CHARS else text[: _SUMMARY_CHARS - 1] + "…"
