"""Render a neutral Reply as Slack Block Kit with a plain-text fallback.

Text and lists become mrkdwn sections, code becomes a fenced section, a
table becomes one section per row with a labelled field per column (a
status card per job), context blocks carry notices. Slack's limits are kept:
3000 characters per section text, 2000 per field, 10 fields per section,
50 blocks per message; past ``max_messages`` the rest is summarised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from adapters.plain import render_lines
from bot.reply import (
    Badge,
    Bullets,
    Code,
    Inline,
    Link,
    Reply,
    Strong,
    Table,
    Text,
    Tone,
    plain_text,
)

Block = dict[str, Any]

BADGE_EMOJI = {
    Tone.OK: ":large_green_circle:",
    Tone.WARN: ":large_yellow_circle:",
    Tone.ERROR: ":red_circle:",
    Tone.INFO: ":large_blue_circle:",
    Tone.MUTED: ":white_circle:",
}
ERROR_MARK = ":x: "
SECTION_LIMIT = 3000
FIELD_LIMIT = 2000
FIELDS_PER_SECTION = 10
BLOCKS_PER_MESSAGE = 50
FALLBACK_LIMIT = 3000
CARD_ROWS = 20  # more rows than this read better as one aligned code block


@dataclass(frozen=True)
class SlackMessage:
    """What ``chat.postMessage`` / ``respond`` take: fallback ``text`` and ``blocks``."""

    text: str
    blocks: list[Block] = field(default_factory=list)


def escape(text: str) -> str:
    """Plain words for mrkdwn: Slack's three control characters, nothing more."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def inline(span: Inline) -> str:
    if isinstance(span, str):
        return escape(span)
    if isinstance(span, Badge):
        return f"{BADGE_EMOJI[span.tone]} {escape(span.label)}"
    if isinstance(span, Link):
        url = span.url.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C")
        return f"<{url}|{escape(span.label)}>" if span.label else f"<{url}>"
    if isinstance(span, Strong):
        return f"*{escape(span.text)}*"
    raise TypeError(f"unknown inline span {span!r}")


def fallback(reply: Reply) -> str:
    """The notification / screen-reader text of a reply."""
    # Slack parses the fallback text too: user words must not become <!channel>.
    text = reply.summary or plain_text(reply)
    return _cut(escape(text), FALLBACK_LIMIT)


def notice(text: str) -> SlackMessage:
    """A one-line aside (e.g. "sent you the logs in a DM") as a context block."""
    element = {"type": "mrkdwn", "text": _cut(escape(text), SECTION_LIMIT)}
    return SlackMessage(text=_cut(escape(text), FALLBACK_LIMIT),
                        blocks=[{"type": "context", "elements": [element]}])


def render(reply: Reply, max_messages: int = 4) -> list[SlackMessage]:
    """``reply`` as one or more Slack messages within Block Kit's limits."""
    blocks: list[Block] = []
    for part in reply.parts:
        blocks.extend(_part_blocks(part))
    if not blocks:
        blocks = [_section("(no output)")]
    if reply.is_error:
        _mark_error(blocks)
    pages = [blocks[i:i + BLOCKS_PER_MESSAGE] for i in range(0, len(blocks), BLOCKS_PER_MESSAGE)]
    if len(pages) > max_messages:
        dropped = sum(len(p) for p in pages[max_messages - 1:])
        last = pages[max_messages - 1][: BLOCKS_PER_MESSAGE - 1]
        omitted = dropped - len(last)
        last.append(notice(f"… {omitted} more blocks not shown").blocks[0])
        pages = pages[: max_messages - 1] + [last]
    text = fallback(reply)
    return [SlackMessage(text if i == 0 else "(continued)", page) for i, page in enumerate(pages)]


def _part_blocks(part: object) -> list[Block]:
    if isinstance(part, Text):
        return [_section(t) for t in _split("".join(inline(s) for s in part.spans), SECTION_LIMIT)]
    if isinstance(part, Bullets):
        lines = ["• " + "".join(inline(s) for s in item).replace("\n", " ") for item in part.items]
        return [_section(t) for t in _split("\n".join(lines), SECTION_LIMIT)]
    if isinstance(part, Code):
        return _code_blocks(part.text)
    if isinstance(part, Table):
        if len(part.rows) > CARD_ROWS or not part.rows:
            return _code_blocks("\n".join(render_lines(Reply((part,)))))
        return [_row_card(part.headers, row) for row in part.rows]
    raise TypeError(f"unknown reply part {part!r}")


def _row_card(headers: tuple[str, ...], row: tuple[Inline, ...]) -> Block:
    title = "*" + _cut(_plain_cell(row[0]) if row else "", SECTION_LIMIT - 2) + "*"
    fields = [
        {"type": "mrkdwn", "text": _cut(f"*{escape(header)}*\n{inline(cell)}", FIELD_LIMIT)}
        for header, cell in list(zip(headers, row, strict=False))[1:]
    ][:FIELDS_PER_SECTION]
    block = _section(title)
    if fields:
        block["fields"] = fields
    return block


def _plain_cell(cell: Inline) -> str:
    return inline(cell.text if isinstance(cell, Strong) else cell)


def _code_blocks(text: str) -> list[Block]:
    # A ``` inside the text would close the fence early.
    body = escape(text).replace("```", "`\u200b``")
    return [_section(f"```\n{chunk}\n```") for chunk in _split(body, SECTION_LIMIT - 8)]


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text or " "}}


def _mark_error(blocks: list[Block]) -> None:
    first = blocks[0]
    if "fields" in first or first["text"]["text"].startswith("```"):
        blocks.insert(0, _section(ERROR_MARK.strip()))
    else:
        first["text"]["text"] = _cut(ERROR_MARK + first["text"]["text"], SECTION_LIMIT)


def _split(text: str, limit: int) -> list[str]:
    """Cut ``text`` into pieces of at most ``limit`` characters, at line ends where possible."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > 0 else limit
        pieces.append(text[:cut])
        text = text[cut:].removeprefix("\n")
    pieces.append(text)
    return pieces


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
