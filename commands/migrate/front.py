"""Whether a tool's website answers at its web front (``https://<tool>.toolforge.org/``).

One bounded GET, no redirects followed, no cookies kept. Any answer below 500
is the tool's own (a 404 for ``/`` still means its server runs); a 5xx is the
front proxy saying there is no web service behind it, or the service failing.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

PROBE_SECONDS = 5.0
USER_AGENT = "forgebot (migration check; https://wikitech.wikimedia.org/wiki/Tool:Forgebot)"


@dataclass(frozen=True, slots=True)
class FrontAnswer:
    url: str
    status: int | None  # None: no answer at all
    detail: str = ""

    @property
    def answers(self) -> bool:
        return self.status is not None and self.status < 500

    def sentence(self) -> str:
        if self.status is None:
            return f"{self.url} did not answer ({self.detail})"
        return f"{self.url} answers {self.status}"


def front_url(template: str, tool: str) -> str:
    return template.replace("{tool}", tool)


async def probe(url: str) -> FrontAnswer:
    try:
        async with httpx.AsyncClient(
            timeout=PROBE_SECONDS, follow_redirects=False, headers={"User-Agent": USER_AGENT}
        ) as http:
            response = await http.get(url)
    except httpx.HTTPError as error:
        return FrontAnswer(url, None, type(error).__name__)
    return FrontAnswer(url, response.status_code)
