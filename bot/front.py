"""What a visitor gets at ``https://<tool>.toolforge.org/``: the web front, probed.

One GET with a clear user agent and no cookies, redirects followed only on
the tool's own site, the whole probe bounded in time. The answer tells the
front proxy's own pages (its "No webservice" page, nginx's 502/503/504) from
the tool's: "the proxy could not reach your web service" and "your web
service answered 500" need different fixes.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import re
import time
from dataclasses import dataclass

import httpx

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


def _accept_no_cookies() -> http.cookiejar.CookieJar:
    return http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))


class FrontProbe:
    """Probes tools' web fronts with one kept HTTP client.

    ``url`` is a template with ``{tool}`` (``https://{tool}.toolforge.org/``;
    the sandbox serves ``http://127.0.0.1:<port>/front/{tool}/``). A redirect
    is followed only when it stays on that host and under that path.
    """

    def __init__(self, url: str, *, timeout: float = 5.0, user_agent: str = "forgebot") -> None:
        self.template = url
        self.timeout = timeout
        # trust_env off: no proxy from the environment between the bot and the front.
        self._http = httpx.AsyncClient(
            headers={"User-Agent": user_agent, "Accept": "text/html,*/*;q=0.5"},
            follow_redirects=False,
            timeout=httpx.Timeout(timeout),
            cookies=_accept_no_cookies(),
            trust_env=False,
        )

    def url(self, tool: str) -> str:
        return self.template.format(tool=tool)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def probe(self, tool: str) -> FrontAnswer:
        """How the front answers for ``tool`` now (never raises for the network's faults)."""
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
        except httpx.TimeoutException:
            return FrontAnswer(url, "timeout", detail=f"{self.timeout:g}")
        except httpx.HTTPError as error:
            return FrontAnswer(url, "unreachable", detail=_reason(error))

    async def _follow(self, url: str, started: float) -> FrontAnswer:
        site = httpx.URL(url)
        current, seen = site, [str(site)]
        for _ in range(_MAX_REDIRECTS + 1):
            status, location, body = await self._get(current)
            took = time.monotonic() - started
            if status in (301, 302, 303, 307, 308) and location:
                target = current.join(location)
                if not _on_site(target, site):
                    return FrontAnswer(url, "redirect-away", status, took, str(target))
                if str(target) in seen:
                    chain = " → ".join([*seen, str(target)])
                    return FrontAnswer(url, "redirect-loop", status, took, detail=chain)
                seen.append(str(target))
                current = target
                continue
            return FrontAnswer(url, _kind(status, body), status, took)
        chain = " → ".join(seen)
        return FrontAnswer(url, "redirect-loop", None, time.monotonic() - started, detail=chain)

    async def _get(self, url: httpx.URL) -> tuple[int, str, str]:
        async with self._http.stream("GET", url) as response:
            body = b""
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) >= _MAX_BODY:
                    break
            text = body[:_MAX_BODY].decode("utf-8", "replace")
            return response.status_code, response.headers.get("location", ""), text


def _on_site(target: httpx.URL, site: httpx.URL) -> bool:
    """The same host (and port), under the probed path: a redirect we may follow."""
    return (
        target.host == site.host
        and target.port == site.port
        and target.path.startswith(site.path)
        and target.scheme in ("http", "https")
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


def _reason(error: httpx.HTTPError) -> str:
    if isinstance(error, httpx.ConnectError):
        return "could not connect"
    if isinstance(error, httpx.RemoteProtocolError):
        return "the connection broke off"
    return type(error).__name__
