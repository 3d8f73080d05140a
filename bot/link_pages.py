"""The link pages on forgebot's HTTP server: plain HTML, no JavaScript, nothing cached.

``GET /link/<token>`` only shows what will be linked (chat clients fetch links
to preview them, and must not spend them); its button POSTs to the same URL,
which spends it and redirects to the login provider; the provider comes back
to ``GET /link/callback``.
"""

from __future__ import annotations

import html
import logging

from aiohttp import web

from bot.adapter import Route
from bot.errors import ForgebotError
from bot.linking import CALLBACK_PATH, LinkDesk, LinkSpent

log = logging.getLogger(__name__)

_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the token is in the URL: no Referer to the provider
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "frame-ancestors 'none'",
}
_STYLE = "body{font-family:sans-serif;max-width:40em;margin:3em auto;padding:0 1em;line-height:1.5}"


def link_routes(desk: LinkDesk) -> list[Route]:
    """Routes for :class:`bot.http.HttpServer` (the callback before the token pattern)."""

    async def callback(request: web.Request) -> web.Response:
        try:
            outcome = await desk.complete(dict(request.query))
        except Exception:
            log.exception("link: the callback failed")
            return _page("Nothing was linked", "Something went wrong; nothing was linked.", 500)
        return _page(outcome.title, outcome.sentence, 200 if outcome.ok else 400)

    async def show(request: web.Request) -> web.Response:
        pending = await desk.pending(request.match_info["token"])
        if pending is None:
            return _gone()
        platform, _, user = pending.chat_key.partition(":")
        expected = (
            f" You will be asked to log in as <strong>{html.escape(pending.expected_account)}"
            "</strong>."
            if pending.expected_account
            else ""
        )
        body = (
            f"<p>This links the {html.escape(platform)} identity "
            f"<strong>{html.escape(user)}</strong> to the Wikimedia developer account you log "
            f"in with.{expected}</p>"
            "<p>Continue only if you asked forgebot for this link yourself: whoever logs in "
            "here gives that chat identity the right to act as their developer account.</p>"
            '<form method="post"><button type="submit">Log in with your developer account'
            "</button></form>"
        )
        return _page("Link your chat identity", body, 200, markup=True)

    async def start(request: web.Request) -> web.Response:
        try:
            target = await desk.begin(request.match_info["token"])
        except LinkSpent as spent:
            return _page("This link no longer works", _sentence(spent.sentence), 410)
        except ForgebotError as error:  # the login provider failed; the link still works
            return _page("The login cannot start", _sentence(error.sentence), 502)
        raise web.HTTPSeeOther(target, headers=_HEADERS)

    return [
        ("GET", CALLBACK_PATH, callback),
        ("GET", "/link/{token}", show),
        ("POST", "/link/{token}", start),
    ]


def _gone() -> web.Response:
    return _page(
        "This link no longer works",
        "This link was already used or has expired. Ask forgebot for a new one: "
        "say link to it in a direct message.",
        410,
    )


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:] + "."


def _page(title: str, body: str, status: int, *, markup: bool = False) -> web.Response:
    content = body if markup else f"<p>{html.escape(body)}</p>"
    document = (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)} · forgebot</title><style>{_STYLE}</style></head>"
        f"<body><h1>{html.escape(title)}</h1>{content}</body></html>\n"
    )
    return web.Response(
        text=document, status=status, content_type="text/html", charset="utf-8", headers=_HEADERS
    )
