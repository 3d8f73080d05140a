"""Long answers as short-lived pages on the bot's HTTP server.

Each page has an unguessable address (``secrets.token_urlsafe``), lives for
``[pages] ttl_seconds`` and is visible only through that address: nothing
lists pages, search engines and caches are told to keep away, and the page
sends no referrer. Its text is redacted once more on the way in. An expired
page says so; one never made (or forgotten by a restart) says that too.
Pages live in the process's memory: short-lived by design, gone on restart.
"""

from __future__ import annotations

import html
import secrets
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.adapter import Route
from bot.redact import redact
from bot.reply import Badge, Code, Inline, Link, Part, Reply, Strong, Table, Text

if TYPE_CHECKING:
    # aiohttp is imported when a page is served, not when the bot starts.
    from aiohttp import web

ROUTE = "/answers/{token}"
#: Pages kept at once; the oldest go first (a flood of long answers cannot fill memory).
MAX_PAGES = 2000
#: How long an expired page is remembered, to say "expired" rather than "no such page".
REMEMBER_EXPIRED = timedelta(days=1)
_HEADERS = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
}
_STYLE = (
    "body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
    "pre{background:#f4f4f4;padding:.5em;overflow-x:auto}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}"
    ".badge{font-weight:bold}.note{color:#555}"
)


@dataclass(frozen=True, slots=True)
class Page:
    body: str
    expires: datetime


class AnswerPages:
    """The pages, by token; ``clock`` is the bot's (so tests can let them expire)."""

    def __init__(self, public_url: str, ttl_seconds: int, clock: Callable[[], datetime]) -> None:
        self.public_url = public_url.rstrip("/")
        self.ttl = timedelta(seconds=ttl_seconds)
        self.clock = clock
        self._pages: OrderedDict[str, Page] = OrderedDict()

    def add(self, reply: Reply, title: str) -> tuple[str, datetime]:
        """Keep ``reply`` as a page; returns its address and when it expires."""
        now = self.clock()
        self._forget(now)
        token = secrets.token_urlsafe(24)
        expires = now + self.ttl
        self._pages[token] = Page(render_page(reply, title, expires), expires)
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)
        return f"{self.public_url}{ROUTE.replace('{token}', token)}", expires

    def _forget(self, now: datetime) -> None:
        for token, page in list(self._pages.items()):
            if page.expires + REMEMBER_EXPIRED < now:
                del self._pages[token]

    def routes(self) -> list[Route]:
        return [("GET", ROUTE, self.serve)]

    async def serve(self, request: web.Request) -> web.Response:
        from aiohttp import web

        page = self._pages.get(request.match_info["token"])
        now = self.clock()
        if page is None:
            return _sentence(404, "No such answer: the link is mistyped, or the answer expired "
                             "and was forgotten. Ask forgebot again.")  # fmt: skip
        if page.expires <= now:
            return _sentence(410, f"This answer expired at {page.expires:%Y-%m-%d %H:%M} UTC; "
                             "ask forgebot again for a fresh one.")  # fmt: skip
        return web.Response(text=page.body, content_type="text/html", headers=_HEADERS)


def _sentence(status: int, sentence: str) -> web.Response:
    from aiohttp import web

    body = _document("forgebot", f"<p>{html.escape(sentence)}</p>")
    return web.Response(status=status, text=body, content_type="text/html", headers=_HEADERS)


def _document(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="robots" content="noindex,nofollow">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )


def render_page(reply: Reply, title: str, expires: datetime) -> str:
    body = "".join(_part(p) for p in reply.parts)
    note = f'<p class="note">This page expires at {expires:%Y-%m-%d %H:%M} UTC.</p>'
    return _document(title, f"<h1>{html.escape(redact(title))}</h1>{body}{note}")


def _inline(span: Inline) -> str:
    if isinstance(span, str):
        return html.escape(redact(span))
    if isinstance(span, Strong):
        return f"<strong>{html.escape(redact(span.text))}</strong>"
    if isinstance(span, Badge):
        return f'<span class="badge {span.tone.value}">[{html.escape(span.label)}]</span>'
    if isinstance(span, Link):
        url, label = redact(span.url), html.escape(redact(span.label))
        if url.startswith(("https://", "http://")):
            return f'<a href="{html.escape(url)}" rel="noopener noreferrer nofollow">{label}</a>'
        return f"{label} ({html.escape(url)})"
    raise TypeError(f"unknown inline span {span!r}")


def _part(part: Part) -> str:
    if isinstance(part, Text):
        return "<p>" + "".join(_inline(s) for s in part.spans).replace("\n", "<br>") + "</p>"
    if isinstance(part, Code):
        return f"<pre>{html.escape(redact(part.text))}</pre>"
    if isinstance(part, Table):
        head = "".join(f"<th>{html.escape(h)}</th>" for h in part.headers)
        rows = "".join(
            "<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in row) + "</tr>" for row in part.rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    items = "".join("<li>" + "".join(_inline(s) for s in item) + "</li>" for item in part.items)
    return f"<ul>{items}</ul>"
