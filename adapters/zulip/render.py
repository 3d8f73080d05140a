"""Render a neutral Reply as Zulip Markdown, split to fit the message length limit.

Words that come from commands are escaped, so a tool or job name can never
turn into a mention (``@**all**``), a link or broken formatting. A reply
longer than the limit becomes several messages, cut between blocks, lines or
table rows (code fences and table headers are repeated in every piece); past
``max_messages`` the remainder is handed back for the adapter to attach.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.reply import Badge, Bullets, Code, Inline, Link, Reply, Strong, Table, Text, Tone

BADGE_EMOJI = {
    Tone.OK: "🟢",
    Tone.WARN: "🟡",
    Tone.ERROR: "🔴",
    Tone.INFO: "🔵",
    Tone.MUTED: "⚪",
}
ERROR_MARK = "❌ "
BLOCK_GAP = "\n\n"

_MARKUP = re.compile(r"([\\*`\[\]])")
_MENTION = re.compile(r"@(?=[*_])")


@dataclass(frozen=True)
class Rendering:
    """The messages to send, in order, and the Markdown that did not fit (or ``None``)."""

    messages: list[str]
    rest: str | None = None


def escape(text: str) -> str:
    """Plain words as Markdown that renders exactly those words."""
    return _MENTION.sub("@\u200b", _MARKUP.sub(r"\\\1", text))


def mention(user_id: int, name: str, *, silent: bool = True) -> str:
    """A structural mention of a user (silent: names them without a notification)."""
    clean = name.replace("*", "").replace("|", "")
    return f"@{'_' if silent else ''}**{clean}|{user_id}**"


def inline(span: Inline) -> str:
    if isinstance(span, str):
        return escape(span)
    if isinstance(span, Badge):
        return f"{BADGE_EMOJI[span.tone]} {escape(span.label)}"
    if isinstance(span, Link):
        url = span.url.replace(" ", "%20").replace(")", "%29").replace("(", "%28")
        label = escape(span.label) or url
        return f"[{label}]({url})"
    if isinstance(span, Strong):
        return f"**{escape(span.text)}**"
    raise TypeError(f"unknown inline span {span!r}")


def render(reply: Reply, limit: int, max_messages: int = 4) -> Rendering:
    """``reply`` as Zulip messages of at most ``limit`` characters each."""
    blocks: list[str] = []
    for index, part in enumerate(reply.parts):
        lead = ERROR_MARK if reply.is_error and index == 0 else ""
        blocks.extend(_part_blocks(part, limit, lead))
    messages = _pack(blocks, limit) or [ERROR_MARK.strip() if reply.is_error else "(no output)"]
    if len(messages) <= max_messages:
        return Rendering(messages)
    keep = max(1, max_messages - 1)
    return Rendering(messages[:keep], BLOCK_GAP.join(messages[keep:]))


def _part_blocks(part: object, limit: int, lead: str) -> list[str]:
    if isinstance(part, Text):
        body = lead + "".join(inline(s) for s in part.spans)
        return _chunk(body.splitlines() or [""], limit, _plain)
    if isinstance(part, Bullets):
        items = ["- " + "".join(inline(s) for s in item).replace("\n", " ") for item in part.items]
        return _chunk(([lead.strip()] if lead else []) + items, limit, _plain)
    if isinstance(part, Code):
        fence = "`" * max(3, _longest_backtick_run(part.text) + 1)
        language = re.sub(r"[^\w+-]", "", part.language)
        lines = part.text.splitlines() or [""]

        def wrap(chunk: list[str]) -> str:
            return f"{fence}{language}\n" + "\n".join(chunk) + f"\n{fence}"

        return ([lead.strip()] if lead else []) + _chunk(lines, limit, wrap)
    if isinstance(part, Table):
        header = "| " + " | ".join(_cell(h) for h in part.headers) + " |"
        rule = "|" + "|".join(" --- " for _ in part.headers) + "|"
        width = len(part.headers)
        rows = [
            "| " + " | ".join(_cell(inline(c)) for c in (tuple(r) + ("",) * width)[:width]) + " |"
            for r in part.rows
        ]

        def table(chunk: list[str]) -> str:
            return "\n".join([header, rule, *chunk])

        return ([lead.strip()] if lead else []) + _chunk(rows, limit, table)
    raise TypeError(f"unknown reply part {part!r}")


def _plain(chunk: list[str]) -> str:
    return "\n".join(chunk)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") or " "


def _longest_backtick_run(text: str) -> int:
    return max((len(m) for m in re.findall(r"`+", text)), default=0)


def _chunk(lines: list[str], limit: int, wrap: Callable[[list[str]], str]) -> list[str]:
    """Group lines into as few wrapped blocks as fit in ``limit``; cut lines that never fit."""
    overhead = len(wrap([""]))
    room = max(1, limit - overhead)
    pieces: list[str] = []
    for line in lines:
        while len(line) > room:
            cut = line.rfind(" ", 0, room)
            cut = cut if cut > room // 2 else room
            pieces.append(line[:cut])
            line = line[cut:].lstrip(" ")
        pieces.append(line)
    blocks: list[str] = []
    current: list[str] = []
    size = overhead
    for piece in pieces:
        grow = len(piece) + (1 if current else 0)
        if current and size + grow > limit:
            blocks.append(wrap(current))
            current, size, grow = [], overhead, len(piece)
        current.append(piece)
        size += grow
    if current:
        blocks.append(wrap(current))
    return blocks


def _pack(blocks: list[str], limit: int) -> list[str]:
    """Greedily put whole blocks into messages, a blank line between blocks."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        if not current:
            current = block
        elif len(current) + len(BLOCK_GAP) + len(block) <= limit:
            current += BLOCK_GAP + block
        else:
            messages.append(current)
            current = block
    if current:
        messages.append(current)
    return messages
