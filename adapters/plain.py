"""Render a Reply as plain text lines (console, IRC and any line-based chat).

Styling is a parameter: the console colours badges, IRC may bold them or
not; the layout (aligned tables, bullets, code lines) is shared.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.reply import Badge, Bullets, Code, Inline, Link, Reply, Strong, Table, Text

BadgeStyle = Callable[[Badge], str]
StrongStyle = Callable[[str], str]


def bracket_badge(badge: Badge) -> str:
    return f"[{badge.label}]"


def no_style(text: str) -> str:
    return text


def render_inline(
    span: Inline, badge: BadgeStyle = bracket_badge, strong: StrongStyle = no_style
) -> str:
    if isinstance(span, str):
        return span
    if isinstance(span, Badge):
        return badge(span)
    if isinstance(span, Link):
        return f"{span.label} <{span.url}>" if span.label != span.url else span.url
    if isinstance(span, Strong):
        return strong(span.text)
    raise TypeError(f"unknown inline span {span!r}")


def _plain_width(span: Inline) -> int:
    return len(render_inline(span))


def render_lines(
    reply: Reply, badge: BadgeStyle = bracket_badge, strong: StrongStyle = no_style
) -> list[str]:
    """Every line of the reply, in order, without trailing whitespace."""

    def inline(span: Inline) -> str:
        return render_inline(span, badge, strong)

    lines: list[str] = []
    for part in reply.parts:
        if isinstance(part, Text):
            text = "".join(inline(s) for s in part.spans)
            lines.extend(text.splitlines() or [""])
        elif isinstance(part, Code):
            lines.extend(part.text.splitlines())
        elif isinstance(part, Bullets):
            lines.extend("• " + "".join(inline(s) for s in item) for item in part.items)
        elif isinstance(part, Table):
            lines.extend(_table_lines(part, inline))
    return [line.rstrip() for line in lines]


def _table_lines(table: Table, inline: Callable[[Inline], str]) -> list[str]:
    # Widths come from the unstyled text so colour codes do not skew alignment.
    columns = len(table.headers)
    widths = [len(h) for h in table.headers]
    for row in table.rows:
        for i, cell in enumerate(row[:columns]):
            widths[i] = max(widths[i], _plain_width(cell))
    out = ["  ".join(h.upper().ljust(widths[i]) for i, h in enumerate(table.headers))]
    for row in table.rows:
        cells = []
        for i, cell in enumerate(row[:columns]):
            pad = widths[i] - _plain_width(cell)
            cells.append(inline(cell) + " " * pad)
        out.append("  ".join(cells))
    return out
