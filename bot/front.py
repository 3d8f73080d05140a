"""What a visitor gets at ``https://<tool>.toolforge.org/``: the web front, probed.

One GET with a clear user agent and no cookies, redirects followed only on
the tool's own site, the whole probe bounded in time. The answer tells the
front proxy's own pages (its "No webservice" page, nginx's 502/503/504) from
the tool's: "the proxy could not reach your web service" and "your web
service answered 500" need different fixes.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from bot.connections import connection_limit, origin
from bot.shared_reads import SharedReads

if TYPE_CHECKING:
    import aiohttp

DNS_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_MAX_BODY = 64 * 1024  # enough to tell the proxy's pages from the tool's
_MAX_REDIRECTS = 5
_PROXY_REASONS = {502: "502 Bad Gateway", 503: "503 Service Temporarily Unavailable",
                  504: "504 Gateway Time-out"}  # fmt: skip
_TITLE = re.compile(r"<title>\s*(.*?)\s*</title>", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True, slots=True)
class FrontAnswer:
    """How the web front answered.

    ``kind`` is one of: ``tool`` (the tool's own answer, whatever its status),
    ``no-webservice`` (the proxy's page: nothing serves the address),
    ``proxy-error`` (nginx's 502/503/504: the proxy could not get an answer
    from the web service), ``redirect-away`` (the tool sends visitors to
    another site; not followed), ``redirect-loop``, ``timeout``,
    ``unreachable``, ``not-a-dns-label`` (the name cannot be a host name).
    """

    url: str
    kind: str
    status: int | None = None
    seconds: float | None = None
    location: str = ""
    detail: str = ""

    @property
    def up(self) -> bool:
        """The tool's web service answered (a 4xx of its own counts: it is there)."""
        if self.kind == "redirect-away":
            return True
        return self.kind == "tool" and self.status is not None and self.status < 500

    @property
    def took(self) -> str:
        return f" in {self.seconds:.2f} s" if self.seconds is not None else ""

    def short(self) -> str:
        """A few words for a status line: ``HTTP 200 in 0.12 s``, ``the proxy's 502``."""
        if self.kind in ("tool", "redirect-away"):
            return f"HTTP {self.status}{self.took}"
        if self.kind == "no-webservice":
            return f"the proxy's 'No webservice' page (HTTP {self.status})"
        if self.kind == "proxy-error":
            return f"the proxy's {_PROXY_REASONS.get(self.status or 0, self.status)}"
        return {"redirect-loop": "a redirect loop", "not-a-dns-label": "no web address",
                "timeout": f"no answer within {self.detail} s"}.get(self.kind,
                                                                    "unreachable")  # fmt: skip

    def sentence(self) -> str:
        """The answer in plain words (public: anyone can open the address)."""
        status = self.status
        if self.kind == "tool" and status is not None and status < 500:
            return f"{self.url} answered HTTP {status}{self.took}"
        if self.kind == "tool":
            return (f"the tool's own web service answered HTTP {status}{self.took}: "
                    "an error inside its code")  # fmt: skip
        if self.kind == "no-webservice":
            return (f"the front proxy answered with its 'No webservice' page (HTTP {status})"
                    f"{self.took}: nothing running serves {self.url}")  # fmt: skip
        if self.kind == "proxy-error":
            reason = _PROXY_REASONS.get(status or 0, f"HTTP {status}")
            why = {502: "the web service runs but did not answer where the proxy connects",
                   503: "the proxy has no running web service to send the request to",
                   504: "the web service took too long to answer"}.get(status or 0, "")  # fmt: skip
            return f"the front proxy answered {reason}{self.took}" + (f": {why}" if why else "")
        if self.kind == "redirect-away":
            return (f"{self.url} answered HTTP {status}{self.took}, a redirect to "
                    f"{self.location} (another site, not followed)")  # fmt: skip
        if self.kind == "redirect-loop":
            return f"{self.url} redirects in a loop ({self.detail})"
        if self.kind == "timeout":
            return f"{self.url} did not answer within {self.detail} s"
        if self.kind == "not-a-dns-label":
            return self.detail
        return f"{self.url} could not be reached ({self.detail})"


class FrontProbe:
    """Probes tools' web fronts with one kept HTTP client.

    ``url`` is a template with ``{tool}`` (``https://{tool}.toolforge.org/``;
    the sandbox serves ``http://127.0.0.1:<port>/front/{tool}/``). A redirect
    is followed only when it stays on that host and under that path.

    aiohttp directly, as the Toolforge client (see bot/toolforge/_transport.py),
    opened and imported on the first probe.
    """

    def __init__(self, url: str, *, timeout: float = 5.0, user_agent: str = "forgebot") -> None:
        self.template = url
        self.timeout = timeout
        self._user_agent = user_agent
        self._http: aiohttp.ClientSession | None = None
        # Many commands about one tool at once: one probe in flight per tool.
        self._probes: SharedReads[str, FrontAnswer] = SharedReads()

    def _session(self) -> aiohttp.ClientSession:
        if self._http is None:
            import aiohttp

            self._http = aiohttp.ClientSession(
                headers={"User-Agent": self._user_agent, "Accept": "text/html,*/*;q=0.5"},
                connector=aiohttp.TCPConnector(limit=connection_limit()),
                cookie_jar=aiohttp.DummyCookieJar(),  # no cookies kept between tools
                trust_env=False,  # no proxy from the environment between the bot and the front
            )
        return self._http

    def url(self, tool: str) -> str:
        return self.template.format(tool=tool)

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def probe(self, tool: str) -> FrontAnswer:
        """How the front answers for ``tool`` now (never raises for the network's faults)."""
        return await self._probes.read(tool, lambda: self._probe(tool))

    async def _probe(self, tool: str) -> FrontAnswer:
        import aiohttp

        url = self.url(tool)
        if not DNS_LABEL.fullmatch(tool):
            why = (f"{tool!r} is not a DNS label (lowercase letters, digits and '-', at most "
                   f"63), so the tool has no web address {url}; I did not probe it")  # fmt: skip
            return FrontAnswer(url, "not-a-dns-label", detail=why)
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.timeout):
                return await self._follow(url, started)
        except TimeoutError:
            return FrontAnswer(url, "timeout", detail=f"{self.timeout:g}")
        except aiohttp.ClientConnectorError:
            return FrontAnswer(url, "unreachable", detail="could not connect")
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError):
            return FrontAnswer(url, "unreachable", detail="the connection broke off")
        except (aiohttp.ClientError, ValueError) as error:  # ValueError: an unusable URL
            return FrontAnswer(url, "unreachable", detail=type(error).__name__)

    async def _follow(self, url: str, started: float) -> FrontAnswer:
        current, seen = url, [url]
        for _ in range(_MAX_REDIRECTS + 1):
            status, location, body = await self._get(current)
            took = time.monotonic() - started
            if status in (301, 302, 303, 307, 308) and location:
                target = urljoin(current, location)
                if not _on_site(target, url):
                    return FrontAnswer(url, "redirect-away", status, took, target)
                if target in seen:
                    chain = " → ".join([*seen, target])
                    return FrontAnswer(url, "redirect-loop", status, took, detail=chain)
                seen.append(target)
                current = target
                continue
            return FrontAnswer(url, _kind(status, body), status, took)
        chain = " → ".join(seen)
        return FrontAnswer(url, "redirect-loop", None, time.monotonic() - started, detail=chain)

    async def _get(self, url: str) -> tuple[int, str, str]:
        async with self._session().get(url, allow_redirects=False) as response:
            body = b""
            while len(body) < _MAX_BODY:
                chunk = await response.content.read(_MAX_BODY - len(body))
                if not chunk:
                    break
                body += chunk
            text = body.decode("utf-8", "replace")
            return response.status, response.headers.get("Location", ""), text


def _on_site(target: str, site: str) -> bool:
    """The same host (and port), under the probed path: a redirect we may follow."""
    return (
        origin(target) == origin(site)
        and urlsplit(target).path.startswith(urlsplit(site).path)
        and urlsplit(target).scheme in ("http", "https")
    )


def _kind(status: int, body: str) -> str:
    title = _TITLE.search(body)
    shown = title.group(1).strip().lower() if title else ""
    if shown == "no webservice":
        return "no-webservice"
    if status in _PROXY_REASONS and (
        shown == _PROXY_REASONS[status].lower() or "<center>nginx</center>" in body
    ):
        return "proxy-error"
    return "tool"
