"""Platform-neutral replies: commands build these, adapters render them."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Tone(Enum):
    """What a status badge means, not how it looks."""

    OK = "ok"
    WARN = "warn"
    ERROR = "error"
    INFO = "info"
    MUTED = "muted"


@dataclass(frozen=True, slots=True)
class Badge:
    """A short status word with a tone, e.g. ``running`` (OK) or ``crashing`` (ERROR)."""

    label: str
    tone: Tone


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True, slots=True)
class Strong:
    """Emphasised inline text (tool and job names in headings)."""

    text: str


Inline = str | Badge | Link | Strong


@dataclass(frozen=True, slots=True)
class Text:
    """A paragraph of inline spans."""

    spans: tuple[Inline, ...]

    @classmethod
    def of(cls, *spans: Inline) -> Text:
        return cls(tuple(spans))


@dataclass(frozen=True, slots=True)
class Code:
    """Preformatted text (log lines, a Procfile, a jobs.yaml)."""

    text: str
    language: str = ""


@dataclass(frozen=True, slots=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[Inline, ...], ...]


@dataclass(frozen=True, slots=True)
class Bullets:
    items: tuple[tuple[Inline, ...], ...]


Part = Text | Code | Table | Bullets


@dataclass(frozen=True, slots=True)
class Reply:
    """What the bot answers. ``private`` means: send to the sender only.

    ``is_error`` lets an adapter mark failures (colour, emoji) without
    parsing text. ``summary`` is a one-line plain fallback (Slack
    notifications, the channel notice for a private reply). ``aside`` is a
    second reply for the sender only (a diagnosis's log lines beside its
    public answer): the adapter sends it to them privately, after the reply.
    ``attached`` is a whole long answer the adapter attaches as a file (Slack,
    Zulip), the parts being its short summary (see :mod:`bot.long_answers`).
    """

    parts: tuple[Part, ...]
    private: bool = False
    is_error: bool = False
    summary: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    aside: Reply | None = None
    attached: Reply | None = None

    @classmethod
    def text(cls, *spans: Inline, private: bool = False) -> Reply:
        return cls((Text(tuple(spans)),), private=private)

    @classmethod
    def error(cls, sentence: str) -> Reply:
        return cls((Text((sentence,)),), is_error=True, summary=sentence)


def inline_text(span: Inline) -> str:
    """The plain words of an inline span (for fallbacks and tests)."""
    if isinstance(span, str):
        return span
    if isinstance(span, Badge):
        return span.label
    if isinstance(span, Link):
        return f"{span.label} <{span.url}>"
    return span.text


def plain_text(reply: Reply) -> str:
    """All the words of a reply, no formatting: the lowest common denominator."""
    lines: list[str] = []
    for part in reply.parts:
        if isinstance(part, Text):
            lines.append("".join(inline_text(s) for s in part.spans))
        elif isinstance(part, Code):
            lines.extend(part.text.splitlines())
        elif isinstance(part, Table):
            lines.append(" | ".join(part.headers))
            lines.extend(" | ".join(inline_text(c) for c in row) for row in part.rows)
        else:
            lines.extend("- " + "".join(inline_text(s) for s in item) for item in part.items)
    return "\n".join(lines)
