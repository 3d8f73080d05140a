"""How long a reply is, in neutral lines and characters, and the same reply in pages.

Line-based chats (IRC) show one line per table row, list item and code line;
a page of ``n`` lines keeps a table's header on every page and never splits
a paragraph.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.reply import Bullets, Code, Inline, Part, Reply, Table, Text, plain_text


def size(reply: Reply) -> tuple[int, int]:
    """(lines, characters) of the reply's words, as a line-based chat shows them."""
    text = plain_text(reply)
    return sum(_lines(p) for p in reply.parts), len(text)


def _lines(part: Part) -> int:
    if isinstance(part, Text):
        return max(1, len(plain_text(Reply((part,))).splitlines()))
    if isinstance(part, Code):
        return max(1, len(part.text.splitlines()))
    if isinstance(part, Table):
        return 1 + len(part.rows)
    return len(part.items)


@dataclass
class _Chunk:
    """Consecutive pieces of one original part, on one page."""

    origin: int
    part: Part
    pieces: list[str | tuple[Inline, ...]] = field(default_factory=list)

    def build(self) -> Part:
        part = self.part
        if isinstance(part, Code):
            return Code("\n".join(str(p) for p in self.pieces), part.language)
        if isinstance(part, Table):
            return Table(part.headers, tuple(p for p in self.pieces if isinstance(p, tuple)))
        if isinstance(part, Bullets):
            return Bullets(tuple(p for p in self.pieces if isinstance(p, tuple)))
        return part


class _Pager:
    def __init__(self, per_page: int) -> None:
        self.per_page = per_page
        self.pages: list[list[_Chunk]] = [[]]
        self.used = 0

    def room(self, cost: int) -> None:
        if self.used and self.used + cost > self.per_page:
            self.pages.append([])
            self.used = 0
        self.used += cost

    def add(self, origin: int, part: Part, piece: str | tuple[Inline, ...] | None, cost: int,
            header: int = 0) -> None:  # fmt: skip
        page = self.pages[-1]
        continuing = bool(page) and page[-1].origin == origin
        self.room(cost + (0 if continuing else header))
        if self.pages[-1] is not page and continuing:
            self.used += header  # the part goes on, on a new page: its header again
        page = self.pages[-1]
        if not page or page[-1].origin != origin:
            page.append(_Chunk(origin, part))
        if piece is not None:
            page[-1].pieces.append(piece)


def split(reply: Reply, per_page: int) -> list[tuple[Part, ...]]:
    """The reply's parts in pages of about ``per_page`` lines (a paragraph is never cut)."""
    pager = _Pager(max(2, per_page))
    for origin, part in enumerate(reply.parts):
        if isinstance(part, Text):
            pager.add(origin, part, None, _lines(part))
        elif isinstance(part, Code):
            for line in part.text.splitlines() or [""]:
                pager.add(origin, part, line, 1)
        elif isinstance(part, Table):
            for row in part.rows or ((),):
                pager.add(origin, part, row or None, 1, header=1)
        else:
            for item in part.items:
                pager.add(origin, part, item, 1)
    return [tuple(chunk.build() for chunk in page) for page in pager.pages if page]
