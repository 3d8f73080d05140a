"""The Markdown subset of an announcement's body, as platform-neutral Reply parts.

Paragraphs (separated by a blank line), ``- `` or ``* `` bullet lists,
fenced code blocks (```), ``**bold**`` and ``[label](https://…)`` links.
Each adapter renders the parts its own way (IRC plain lines, Zulip Markdown,
Slack mrkdwn); email gets the plain text. Anything else is kept as written.
"""

from __future__ import annotations

import re

from bot.reply import Bullets, Code, Inline, Link, Part, Strong, Text

_INLINE = re.compile(
    r"\*\*(?P<bold>[^*\n]+)\*\*|\[(?P<label>[^\]\n]+)\]\((?P<url>https?://[^)\s]+)\)"
)
_BULLET = re.compile(r"^\s*[-*]\s+")
_FENCE = "```"


def inline(text: str) -> tuple[Inline, ...]:
    """``text`` with its bold spans and links as Strong and Link."""
    spans: list[Inline] = []
    at = 0
    for match in _INLINE.finditer(text):
        if match.start() > at:
            spans.append(text[at : match.start()])
        if match.group("bold") is not None:
            spans.append(Strong(match.group("bold")))
        else:
            spans.append(Link(match.group("label"), match.group("url")))
        at = match.end()
    if at < len(text):
        spans.append(text[at:])
    return tuple(spans)


def parts(body: str) -> tuple[Part, ...]:
    """The body's blocks, in order."""
    found: list[Part] = []
    paragraph: list[str] = []
    bullets: list[tuple[Inline, ...]] = []
    code: list[str] | None = None

    def flush() -> None:
        if paragraph:
            found.append(Text(inline(" ".join(line.strip() for line in paragraph))))
            paragraph.clear()
        if bullets:
            found.append(Bullets(tuple(bullets)))
            bullets.clear()

    for line in body.replace("\r\n", "\n").split("\n"):
        if code is not None:
            if line.strip().startswith(_FENCE):
                found.append(Code("\n".join(code)))
                code = None
            else:
                code.append(line)
        elif line.strip().startswith(_FENCE):
            flush()
            code = []
        elif not line.strip():
            flush()
        elif _BULLET.match(line):
            if paragraph:
                flush()
            bullets.append(inline(_BULLET.sub("", line, count=1).strip()))
        else:
            if bullets:
                flush()
            paragraph.append(line)
    if code is not None:  # an unclosed fence keeps its lines
        found.append(Code("\n".join(code)))
    flush()
    return tuple(found)
