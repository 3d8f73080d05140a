"""The tools' web front: what ``https://<tool>.toolforge.org/`` answers in the sandbox.

A request reaches it with ``Host: <tool>.toolforge.org`` or under
``/front/<tool>/``. A tool whose published continuous job is running answers
200 (a small page of its own); otherwise the front proxy answers with its "no
webservice" page (503), and an unknown tool with 404.
"""

from __future__ import annotations

import html

from aiohttp import web

from bot.toolforge.sandbox._jobspec import FRONT_DOMAIN
from bot.toolforge.sandbox._status import status
from bot.toolforge.sandbox._world import WORLD

routes = web.RouteTableDef()
_NO_WEBSERVICE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>No webservice</title></head>
<body><h1>No webservice</h1>
<p>The URL you have requested, <code>{url}</code>, is not currently serviced.</p>
<p>If you have reached this page from somewhere else, this tool may not be running a web service,
or it may have been stopped or be restarting. Maintainers can start it with
<code>toolforge webservice start</code> or a published continuous job.</p></body></html>
"""


def _tool_of(request: web.Request) -> str | None:
    host = request.host.split(":", 1)[0].lower()
    if host.endswith("." + FRONT_DOMAIN):
        return host.removesuffix("." + FRONT_DOMAIN)
    parts = request.path.split("/")
    if len(parts) > 2 and parts[1] == "front":
        return parts[2]
    return None


def is_front(request: web.Request) -> bool:
    return _tool_of(request) is not None


async def answer(request: web.Request) -> web.Response:
    tool_name = _tool_of(request) or ""
    world = request.app[WORLD]
    now = world.now()
    url = f"https://{tool_name}.{FRONT_DOMAIN}/"
    tool = world.state.tools.get(tool_name)
    if tool is None:
        page = _NO_WEBSERVICE.format(url=html.escape(url))
        return web.Response(text=page, status=404, content_type="text/html")
    for record in tool.jobs.values():
        if record.job_type == "continuous" and record.spec.get("publish"):
            if status(tool.name, record, now)["short"] == "running":
                body = f"<!DOCTYPE html><html><body><h1>{html.escape(tool.name)}</h1>"
                body += f"<p>served by the job {html.escape(record.name)}</p></body></html>\n"
                return web.Response(text=body, content_type="text/html")
    page = _NO_WEBSERVICE.format(url=html.escape(url))
    return web.Response(text=page, status=503, content_type="text/html")
