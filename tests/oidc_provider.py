"""A real OpenID Connect provider on loopback (oidc-provider-mock), and a browser for it.

The provider signs real ID tokens with its own keys, requires a nonce, and
shows a login form where the test types who it logs in as. The "browser" is
httpx following redirects, so every hop (forgebot's page, its POST, the
provider's form, the callback) is real HTTP.
"""

from __future__ import annotations

import contextlib
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import authlib.deprecate  # noqa: F401  (its "always" filter goes in first, ours in front)
import httpx

with warnings.catch_warnings():
    # The mock imports authlib modules that authlib deprecates (and authlib forces its
    # deprecation warnings "always" on): noise about the test provider, not about forgebot.
    warnings.simplefilter("ignore", DeprecationWarning)
    from oidc_provider_mock import User, run_server_in_thread

from bot.config import LinkSettings
from bot.reply import Link, Reply, Text

# Developer accounts as the provider knows them: sub -> claims.
PEOPLE = {
    "alice-sub": {"preferred_username": "alice", "name": "Alice Example"},
    "bob-sub": {"preferred_username": "bob", "name": "Bob Example"},
    "mallory-sub": {"preferred_username": "mallory"},
    "ghost-sub": {"preferred_username": "ghost"},  # no such developer account
    "anonymous-sub": {},  # says nothing about its account
}


@dataclass
class Provider:
    port: int

    @property
    def discovery_url(self) -> str:
        # The mock names itself after the Host it is reached by, and trusts "localhost".
        return f"http://localhost:{self.port}/.well-known/openid-configuration"

    def settings(self, **changes: object) -> LinkSettings:
        base = LinkSettings(
            discovery_url=self.discovery_url, client_id="forgebot", client_secret="s3cret"
        )
        return base.replace(**changes)


@contextlib.contextmanager
def oidc_provider() -> Iterator[Provider]:
    users = [User(sub=sub, claims=dict(claims)) for sub, claims in PEOPLE.items()]
    with run_server_in_thread(port=0, require_nonce=True, user_claims=users) as server:
        yield Provider(server.server_port)


def link_url(reply: Reply) -> str:
    """The one-time URL in the bot's answer to ``link``."""
    for part in reply.parts:
        if isinstance(part, Text):
            for span in part.spans:
                if isinstance(span, Link):
                    return span.url
    raise AssertionError(f"no link in {reply}")


def url_in(text: str) -> str:
    found = re.search(r"https?://\S+/link/[A-Za-z0-9_-]+", text)
    assert found, f"no link URL in {text!r}"
    return found.group(0)


class Browser:
    """A person's browser: cookies, redirects followed."""

    def __init__(self) -> None:
        self.client = httpx.AsyncClient(follow_redirects=True, trust_env=False, timeout=30)

    async def aclose(self) -> None:
        await self.client.aclose()

    async def start(self, url: str) -> httpx.Response:
        """Open the link page and press its button: the provider's login form, or an error."""
        page = await self.client.get(url)
        assert page.status_code == 200, page.text
        assert '<form method="post">' in page.text and "<script" not in page.text
        return await self.client.post(url)

    async def log_in(self, form: httpx.Response, sub: str) -> httpx.Response:
        """Log in at the provider's form as ``sub``; forgebot's final page."""
        assert form.status_code == 200 and 'name="sub"' in form.text, form.text
        return await self.client.post(str(form.url), data={"sub": sub})

    async def provider_redirect(self, form: httpx.Response, sub: str) -> str:
        """Log in as ``sub`` but stop before following the provider back: the callback URL."""
        answer = await self.client.post(str(form.url), data={"sub": sub}, follow_redirects=False)
        assert answer.status_code in (302, 303), answer.text
        return answer.headers["location"]

    async def link(self, url: str, sub: str) -> httpx.Response:
        return await self.log_in(await self.start(url), sub)
