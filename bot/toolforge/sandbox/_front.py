"""The tools' web front: what ``https://<tool>.toolforge.org/`` answers in the sandbox.

A request reaches it with ``Host: <tool>.toolforge.org`` or under
``/front/<tool>/``. A tool whose web service (a published continuous job, or
a classic ``webservice``) is running answers 200 with a small page of its
own; one that runs but listens elsewhere than ``0.0.0.0:$PORT`` gets the
proxy's "502 Bad Gateway"; otherwise the front proxy answers with its "no
webservice" page (503), and an unknown tool with 404. Faults for tests and
the console (:meth:`Controls.front_fault`): ``hang`` (never answers), ``loop``
(redirects to itself), ``away`` (redirects to another site).
"""

from __future__ import annotations

import html

from aiohttp import web

from bot.toolforge.sandbox import _images, _streams
from bot.toolforge.sandbox._jobspec import FRONT_DOMAIN
from bot.toolforge.sandbox._runtime import listening_at
from bot.toolforge.sandbox._state import ToolState
from bot.toolforge.sandbox._status import status
from bot.toolforge.sandbox._world import WORLD, World

routes = web.RouteTableDef()
FAULTS = ("hang", "loop", "away")
_NO_WEBSERVICE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>No webservice</title></head>
<body><h1>No webservice</h1>
<p>The URL you have requested, <code>{url}</code>, is not currently serviced.</p>
<p>If you have reached this page from somewhere else, this tool may not be running a web service,
or it may have been stopped or be restarting. Maintainers can start it with
<code>toolforge webservice start</code> or a published continuous job.</p></body></html>
"""
_NGINX_REASONS = {502: "Bad Gateway", 503: "Service Temporarily Unavailable",
                  504: "Gateway Time-out"}  # fmt: skip


def nginx_page(status_code: int) -> web.Response:
    """nginx's own error page, as the proxies in front of Toolforge answer with it."""
    title = f"{status_code} {_NGINX_REASONS[status_code]}"
    page = (f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
            f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n"
            "</body>\r\n</html>\r\n")  # fmt: skip
    return web.Response(text=page, status=status_code, content_type="text/html")


def is_nginx_status(status_code: int) -> bool:
    return status_code in _NGINX_REASONS


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


def _page(tool: str, served_by: str) -> web.Response:
    body = f"<!DOCTYPE html><html><body><h1>{html.escape(tool)}</h1>"
    body += f"<p>served by {html.escape(served_by)}</p></body></html>\n"
    return web.Response(text=body, content_type="text/html")


def _backend(world: World, tool: ToolState) -> tuple[str, str] | None:
    """(what serves the tool, where it listens) for a running web service, else None."""
    now = world.now()
    for record in tool.jobs.values():
        if record.job_type == "continuous" and record.spec.get("publish"):
            if status(tool.name, record, now)["short"] == "running":
                source = _images.resolve(world.state, str(record.spec["imagename"])).source
                return f"the job {record.name}", listening_at(record, source)
    classic = tool.classic
    if classic is not None and classic.serving(now):
        return f"webservice {classic.wstype}", classic.listens or "0.0.0.0:8000"
    return None


async def answer(request: web.Request) -> web.StreamResponse:
    tool_name = _tool_of(request) or ""
    world = request.app[WORLD]
    fault = world.state.front_faults.get(tool_name)
    if fault == "hang":
        await request.app[_streams.STOPPING].wait()
        return nginx_page(504)
    if fault == "loop":
        raise web.HTTPFound(request.path)
    if fault == "away":
        raise web.HTTPFound("https://login.example.org/?return=" + tool_name)
    url = f"https://{tool_name}.{FRONT_DOMAIN}/"
    tool = world.state.tools.get(tool_name)
    if tool is None:
        page = _NO_WEBSERVICE.format(url=html.escape(url))
        return web.Response(text=page, status=404, content_type="text/html")
    backend = _backend(world, tool)
    if backend is not None:
        served_by, address = backend
        if not address.startswith("0.0.0.0:"):  # nothing answers where the proxy connects
            return nginx_page(502)
        return _page(tool.name, served_by)
    page = _NO_WEBSERVICE.format(url=html.escape(url))
    return web.Response(text=page, status=503, content_type="text/html")
