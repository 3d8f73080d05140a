"""Self-service identity links through a real OpenID Connect provider, and admins' links.

Every hop is real HTTP: forgebot's link page and its POST, the provider's
login form, the provider's redirect back to forgebot's callback. What is
asserted is what a person sees (the page, the chat message) and what changed
(the link, its method, the audit rows).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from bot.app import http_front
from bot.config import DirectorySettings
from bot.core import Bot
from bot.message import ChatIdentity, Message
from bot.reply import Reply, plain_text
from bot.services import utcnow
from tests.conftest import MakeBot
from tests.oidc_provider import Browser, Provider, link_url, oidc_provider
from tests.test_run_command import free_port

DIRECTORY = """\
[tools.sample-web]
maintainers = ["alice", "carol"]
[tools.sample-cron]
maintainers = ["bob", "mallory"]
[accounts.alice]
email = "alice@example.org"
[accounts.bob]
email = "bob@example.org"
[accounts.mallory]
disabled = true
[accounts.root-sre]
"""


class Recorder:
    """A running adapter for the "irc" platform that only records what the bot sends."""

    platform = "irc"

    def __init__(self) -> None:
        self.sent: list[tuple[str, Reply]] = []
        self._ready = asyncio.Event()

    @property
    def ready(self) -> asyncio.Event:
        return self._ready

    async def run(self) -> None:
        await asyncio.Event().wait()

    async def send(self, destination: str, reply: Reply) -> None:
        self.sent.append((destination, reply))

    def http_routes(self) -> list[object]:
        return []


@dataclass
class Clock:
    now: datetime = field(default_factory=utcnow)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Setup:
    bot: Bot
    chat: Recorder
    clock: Clock
    browser: Browser

    async def say(
        self, text: str, account: str | None = "alice-libera", direct: bool = True
    ) -> Reply:
        sender = ChatIdentity("irc", account, f"{account or 'anon'}_nick")
        if direct:
            message = Message("irc", sender, text, direct=True)
        else:
            line = f"{self.bot.config.bot.prefix} {text}"
            message = Message("irc", sender, line, room="#wikimedia-cloud")
        reply = await self.bot.handle(message)
        assert reply is not None
        return reply

    async def link_url(self, text: str = "link", account: str = "alice-libera") -> str:
        reply = await self.say(text, account)
        assert not reply.is_error, plain_text(reply)
        return link_url(reply)

    async def audit(self, action: str) -> list[tuple[str | None, str, str]]:
        events = await self.bot.services.store.audit_events()
        return [(e.actor_account, e.result, e.detail) for e in events if e.action == action]


@pytest.fixture
def provider() -> Iterator[Provider]:
    with oidc_provider() as found:
        yield found


@contextlib.asynccontextmanager
async def linking(make_bot: MakeBot, tmp_path: Path, provider: Provider) -> AsyncIterator[Setup]:
    """A bot whose self-service linking uses ``provider``, with its link pages served."""
    directory = tmp_path / "directory.toml"
    directory.write_text(DIRECTORY, encoding="utf-8")
    bot = await make_bot(link=provider.settings(), directory=DirectorySettings(file=directory))
    clock = Clock()
    bot.services.clock = clock
    chat, browser = Recorder(), Browser()
    try:
        async with http_front(bot, [chat]):
            yield Setup(bot, chat, clock, browser)
    finally:
        await browser.aclose()


@pytest.fixture
async def setup(make_bot: MakeBot, tmp_path: Path, provider: Provider) -> AsyncIterator[Setup]:
    async with linking(make_bot, tmp_path, provider) as found:
        yield found


async def test_a_person_links_their_chat_identity_by_logging_in(setup: Setup) -> None:
    reply = await setup.say("link")
    text = plain_text(reply)
    assert reply.private and "within 10 minutes" in text and "do not share it" in text
    url = link_url(reply)
    assert url.startswith(setup.bot.services.links.public_url + "/link/")  # type: ignore[union-attr]
    page = await setup.browser.client.get(url)
    assert "irc identity <strong>alice-libera</strong>" in page.text
    assert page.headers["cache-control"] == "no-store"

    final = await setup.browser.link(url, "alice-sub")

    assert final.status_code == 200, final.text
    assert "now linked to the developer account alice" in final.text
    link = await setup.bot.services.store.link_get("irc:alice-libera")
    assert link is not None and (link.account, link.method) == ("alice", "login")
    [(destination, note)] = setup.chat.sent
    assert destination == "alice-libera_nick"
    assert "now linked to the developer account alice" in plain_text(note)
    assert await setup.audit("link.login") == [("alice", "ok", "linked to alice by login")]
    whoami = plain_text(await setup.say("whoami"))
    assert "linked by your own login" in whoami and "You maintain: sample-web." in whoami


async def test_a_link_url_and_its_callback_work_once(setup: Setup) -> None:
    url = await setup.link_url()
    final = await setup.browser.link(url, "alice-sub")
    assert final.status_code == 200
    assert (await setup.browser.client.get(url)).status_code == 410
    again = await setup.browser.client.post(url)
    assert again.status_code == 410 and "already used or has expired" in again.text
    replayed = await setup.browser.client.get(str(final.url))
    assert replayed.status_code == 400 and "no pending link" in replayed.text
    assert await setup.audit("link.login") == [
        (None, "invalid", "a login came back with no pending link"),
        ("alice", "ok", "linked to alice by login"),
    ]


async def test_a_newer_link_url_replaces_the_older_one(setup: Setup) -> None:
    first = await setup.link_url()
    second = await setup.link_url()
    assert (await setup.browser.client.get(first)).status_code == 410
    assert (await setup.browser.link(second, "alice-sub")).status_code == 200


async def test_an_expired_link_url_links_nothing(setup: Setup) -> None:
    url = await setup.link_url()
    setup.clock.now += timedelta(minutes=10)
    assert (await setup.browser.client.get(url)).status_code == 410
    assert (await setup.browser.client.post(url)).status_code == 410
    # A login that started in time but came back too late links nothing either.
    url = await setup.link_url()
    form = await setup.browser.start(url)
    setup.clock.now += timedelta(minutes=11)
    final = await setup.browser.log_in(form, "alice-sub")
    assert final.status_code == 400 and "expired" in final.text
    assert await setup.bot.services.store.link_get("irc:alice-libera") is None
    assert [r for _, r, _ in await setup.audit("link.login")] == ["stale"]


async def test_a_login_as_another_account_than_expected_links_nothing(setup: Setup) -> None:
    final = await setup.browser.link(await setup.link_url("link alice"), "bob-sub")
    assert final.status_code == 400
    assert "You logged in as bob, but the link was asked for alice" in final.text
    assert await setup.bot.services.store.link_get("irc:alice-libera") is None
    # Linked already (by an admin): a plain "link" expects that account again.
    await setup.bot.services.store.link_add("irc:alice-libera", "alice", "root-sre")
    final = await setup.browser.link(await setup.link_url(), "bob-sub")
    assert "asked for alice" in final.text
    assert await setup.bot.services.store.account_for("irc:alice-libera") == "alice"
    # The same login renews the link: now it was made by the person themselves.
    final = await setup.browser.link(await setup.link_url(), "alice-sub")
    link = await setup.bot.services.store.link_get("irc:alice-libera")
    assert final.status_code == 200 and link is not None and link.method == "login"
    assert [(a, r) for a, r, _ in await setup.audit("link.login")] == [
        ("alice", "ok"), ("bob", "refused"), ("bob", "refused"),
    ]  # fmt: skip


async def test_disabled_unknown_and_nameless_logins_link_nothing(setup: Setup) -> None:
    for sub, said in [
        ("mallory-sub", "The developer account mallory is disabled"),
        ("ghost-sub", "The developer account ghost is not in the directory"),
        ("anonymous-sub", "did not say which developer account"),
    ]:
        final = await setup.browser.link(await setup.link_url(), sub)
        assert final.status_code == 400 and said in final.text, final.text
    assert await setup.bot.services.store.links() == []
    refused = await setup.say("link mallory")
    assert refused.is_error and "disabled and cannot be linked" in plain_text(refused)


async def test_a_callback_must_carry_the_state_and_nonce_of_its_own_login(
    setup: Setup,
) -> None:
    bogus = await setup.browser.client.get(
        f"{setup.bot.services.links.public_url}/link/callback?code=abc&state=forged"  # type: ignore[union-attr]
    )
    assert bogus.status_code == 400 and "no pending link" in bogus.text
    # Two logins: the victim's state with the attacker's code (code injection).
    victim_form = await setup.browser.start(await setup.link_url(account="alice-libera"))
    attacker_form = await setup.browser.start(await setup.link_url(account="bob-irc"))
    attacker_back = await setup.browser.provider_redirect(attacker_form, "bob-sub")
    victim_state = parse_qs(urlsplit(str(victim_form.url)).query)["state"][0]
    query = parse_qs(urlsplit(attacker_back).query)
    swapped = urlsplit(attacker_back)._replace(
        query=urlencode({"code": query["code"][0], "state": victim_state})
    ).geturl()
    final = await setup.browser.client.get(swapped)
    assert final.status_code == 400 and "could not be verified" in final.text
    assert await setup.bot.services.store.links() == []
    assert [r for _, r, _ in await setup.audit("link.login")] == ["failed", "invalid"]


async def test_the_provider_down_links_nothing_and_spends_nothing(
    make_bot: MakeBot, tmp_path: Path
) -> None:
    # Down when the login starts: the person is told, and the URL still works.
    async with linking(make_bot, tmp_path, Provider(free_port())) as setup:
        url = await setup.link_url()
        started = await setup.browser.client.post(url)
        assert started.status_code == 502 and "cannot be reached" in started.text
        assert (await setup.browser.client.get(url)).status_code == 200
    # Down when the person comes back: the login cannot be checked, nothing is linked.
    with contextlib.ExitStack() as running:
        provider = running.enter_context(oidc_provider())
        async with linking(make_bot, tmp_path, provider) as setup:
            form = await setup.browser.start(await setup.link_url())
            back = await setup.browser.provider_redirect(form, "alice-sub")
            running.close()
            final = await setup.browser.client.get(back)
            assert final.status_code == 400 and "cannot be reached" in final.text
            assert await setup.bot.services.store.links() == []
            assert [r for _, r, _ in await setup.audit("link.login")] == ["failed"]


async def test_a_link_is_asked_for_in_a_direct_message_by_a_verified_speaker(
    setup: Setup,
) -> None:
    in_channel = await setup.say("link", direct=False)
    assert in_channel.is_error and "in a direct message" in plain_text(in_channel)
    anonymous = await setup.say("link", account=None)
    assert anonymous.is_error and "not logged in to an account" in plain_text(anonymous)


async def test_unlink_removes_ones_own_link(setup: Setup) -> None:
    await setup.browser.link(await setup.link_url(), "alice-sub")
    assert "no longer linked to alice" in plain_text(await setup.say("unlink"))
    assert "not linked" in plain_text(await setup.say("whoami"))
    again = await setup.say("unlink")
    assert again.is_error and "is not linked" in plain_text(again)
    assert [r for _, r, _ in await setup.audit("unlink")] == ["invalid", "ok"]


async def test_admins_link_and_unlink_others_in_chat(setup: Setup) -> None:
    store = setup.bot.services.store
    await store.link_add("irc:root-sre", "root-sre", "cli")
    done = await setup.say("link add irc:CaseUser bob", account="root-sre")
    assert not done.is_error, plain_text(done)
    assert await store.account_for("irc:caseuser") == "bob"
    clash = await setup.say("link add irc:caseuser alice", account="root-sre")
    assert "already linked to bob; add --replace" in plain_text(clash)
    replaced = await setup.say("link add irc:caseuser alice --replace", account="root-sre")
    assert not replaced.is_error
    refused = await setup.say("link add irc:someone alice", account="caseuser")
    assert "only forgebot admins may use link add" in plain_text(refused)
    bad = await setup.say("link add irc:some#one alice", account="root-sre")
    assert "is not a services account" in plain_text(bad)
    removed = await setup.say("link remove irc:CASEUSER", account="root-sre")
    assert "it was alice" in plain_text(removed)
    assert [r for _, r, _ in await setup.audit("link.add")] == [
        "invalid", "refused", "ok", "invalid", "ok",
    ]  # fmt: skip
    link = await store.link_get("irc:root-sre")
    assert link is not None and link.method == "admin"


async def test_link_without_linking_configured_says_to_ask_an_admin(bot: Bot) -> None:
    reply = await bot.handle(
        Message("irc", ChatIdentity("irc", "dora", "dora"), "link", direct=True)
    )
    assert reply is not None and reply.is_error
    assert "ask a forgebot admin to link irc:dora" in plain_text(reply)

