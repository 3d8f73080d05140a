"""The public record: announcements as an HTML page and an Atom feed.

``/announcements`` and ``/announcements.atom`` on the bot's HTTP server show
what anyone may know (title, severity, window, text, link, whether it was
cancelled) and never who received an announcement or who wrote it. The feed
is written by feedgen, so that its XML, dates and escaping are a feed
library's business, not hand-written strings.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime

from aiohttp import web
from feedgen.feed import FeedGenerator  # type: ignore[import-untyped]

from bot.adapter import Route
from bot.bulletin.reading import views_of
from bot.bulletin.view import AnnouncementView
from bot.bulletin.when import stamp
from bot.store import Store

PAGE = "/announcements"
FEED = "/announcements.atom"
LIMIT = 100
Clock = Callable[[], datetime]


def record_routes(store: Store, clock: Clock, public_url: str = "") -> list[Route]:
    """The two routes, for :meth:`bot.http.HttpServer.add_routes`."""
    record = PublicRecord(store, clock, public_url)
    return [("GET", PAGE, record.page), ("GET", FEED, record.feed)]


class PublicRecord:
    def __init__(self, store: Store, clock: Clock, public_url: str = "") -> None:
        self.store = store
        self.clock = clock
        self.public_url = public_url.rstrip("/")

    async def _views(self) -> list[AnnouncementView]:
        rows = await self.store.announcements("all", now=self.clock(), limit=LIMIT)
        return await views_of(self.store, rows)

    def _base(self, request: web.Request) -> str:
        return self.public_url or str(request.url.origin())

    async def page(self, request: web.Request) -> web.Response:
        views = await self._views()
        items = "\n".join(_article(view) for view in views) or (
            "<p>No announcements yet.</p>"
        )
        feed = html.escape(self._base(request) + FEED, quote=True)
        body = _PAGE.format(feed=feed, items=items)
        return web.Response(text=body, content_type="text/html", charset="utf-8",
                            headers=_NO_SNIFF)  # fmt: skip

    async def feed(self, request: web.Request) -> web.Response:
        base = self._base(request)
        views = await self._views()
        now = self.clock()
        fg = FeedGenerator()
        fg.id(base + PAGE)
        fg.title("Toolforge announcements")
        fg.subtitle("Maintenance windows, incidents and deprecations announced through forgebot")
        fg.author({"name": "Toolforge administrators"})
        fg.link(href=base + FEED, rel="self", type="application/atom+xml")
        fg.link(href=base + PAGE, rel="alternate", type="text/html")
        fg.language("en")
        newest = max((_updated(v) for v in views), default=None)
        fg.updated(newest or now)
        for view in reversed(views):  # feedgen puts the last added first
            entry = fg.add_entry()
            entry.id(f"{base}{PAGE}#announcement-{view.id}")
            entry.title(_heading(view))
            entry.published(view.created_at)
            entry.updated(_updated(view))
            entry.category(term=view.severity)
            anchor = f"{base}{PAGE}#announcement-{view.id}"
            entry.link(href=view.link if _safe_link(view.link) else anchor)
            entry.summary(_when_words(view))
            entry.content(view.body, type="text")
        xml: bytes = fg.atom_str(pretty=True)
        return web.Response(body=xml, content_type="application/atom+xml", charset="utf-8",
                            headers=_NO_SNIFF)  # fmt: skip


_NO_SNIFF = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
}

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Toolforge announcements</title>
<link rel="alternate" type="application/atom+xml" title="Toolforge announcements" href="{feed}">
<style>body{{font-family:sans-serif;max-width:50em;margin:auto}}
.body{{white-space:pre-wrap}} .cancelled h2{{text-decoration:line-through}}</style>
</head><body>
<h1>Toolforge announcements</h1>
<p>Maintenance windows, incidents and deprecations, newest first.
Also as an <a href="{feed}">Atom feed</a>.</p>
{items}
</body></html>
"""


def _article(view: AnnouncementView) -> str:
    e = html.escape
    cancelled = ' class="cancelled"' if view.cancelled_at is not None else ""
    link = ""
    if _safe_link(view.link):
        assert view.link is not None
        link = f'<p><a href="{e(view.link, quote=True)}" rel="nofollow">More</a></p>'
    return (
        f'<article id="announcement-{view.id}"{cancelled}>'
        f"<h2>{e(_heading(view))}</h2>"
        f"<p><em>{e(_when_words(view))}</em></p>"
        f'<div class="body">{e(view.body)}</div>{link}</article>'
    )


def _heading(view: AnnouncementView) -> str:
    return f"#{view.id} [{view.kind}] {view.title}"


def _updated(view: AnnouncementView) -> datetime:
    return view.cancelled_at or view.created_at


def _when_words(view: AnnouncementView) -> str:
    words = f"Announced {stamp(view.created_at)}"
    if view.window_start is not None:
        end = f" to {stamp(view.window_end)}" if view.window_end is not None else ""
        words += f"; window {stamp(view.window_start)}{end}"
    if view.cancelled_at is not None:
        words += f"; cancelled {stamp(view.cancelled_at)}"
    return words + "."


def _safe_link(link: str | None) -> bool:
    """Only web links become ``href``s: never ``javascript:`` or ``data:``."""
    return link is not None and link.lower().startswith(("https://", "http://"))
