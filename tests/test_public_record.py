"""The public record: /announcements (HTML) and /announcements.atom, over real HTTP."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from html.parser import HTMLParser

import feedparser
import httpx

from bot.app import http_front
from bot.config import HttpSettings
from bot.core import Bot
from tests.bulletin_support import T0, FakeClock, announce, channel, person
from tests.conftest import MakeBot
from tests.test_run_command import free_port


@contextlib.asynccontextmanager
async def served(make_bot: MakeBot) -> AsyncIterator[tuple[Bot, httpx.AsyncClient]]:
    bot = await make_bot(http=HttpSettings(port=free_port()))
    bot.services.clock = FakeClock()
    async with http_front(bot, []) as http, httpx.AsyncClient(base_url=http.url) as client:
        yield bot, client


class Texts(HTMLParser):
    """What a browser would show, and every tag and attribute: to find injected markup."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.words.append(data)


async def test_the_page_and_the_feed_show_announcements_and_nothing_private(
    make_bot: MakeBot,
) -> None:
    async with served(make_bot) as (bot, client):
        store = bot.services.store
        h = timedelta(hours=1)
        window = await announce(store, "NFS maintenance", channel("irc:#wikimedia-cloud"),
                                person("alice", "irc:alice", "secret-tool"),
                                start=2 * h, length=h, link="https://wikitech.example/nfs",
                                body="NFS will be read-only.\nPlan for it.")  # fmt: skip
        hostile = await announce(store, "<script>alert(1)</script> & co",
                                 person("bob", "zulip:12", "sample-web"), severity="incident",
                                 link="javascript:alert(1)", body="<b>bold?</b> </div>")
        called_off = await announce(store, "Called off", channel("irc:#c"), start=h, length=h)
        await store.announcement_cancel(called_off, by="root-sre", now=T0)

        page = await client.get("/announcements")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        parsed = Texts()
        parsed.feed(page.text)
        shown = "".join(parsed.words)
        assert f"#{window} [maintenance] NFS maintenance" in shown
        assert "window 2026-12-02 10:00 UTC to 2026-12-02 11:00 UTC" in shown
        assert "NFS will be read-only.\nPlan for it." in shown
        assert f"#{hostile} [incident] <script>alert(1)</script> & co" in shown, "shown as text"
        assert "<b>bold?</b> </div>" in shown
        assert not [t for t, _ in parsed.tags if t in ("script", "b")], "no markup injected"
        hrefs = [v for t, attrs in parsed.tags if t == "a" for k, v in attrs if k == "href"]
        assert "https://wikitech.example/nfs" in hrefs
        assert not [h for h in hrefs if h and h.startswith("javascript:")]
        assert "cancelled 2026-12-02 08:00 UTC" in shown
        for private in ("alice", "bob", "secret-tool", "irc:", "zulip:", "root-sre"):
            assert private not in page.text, f"{private!r} is not for the public"

        response = await client.get("/announcements.atom")
        assert response.headers["content-type"].startswith("application/atom+xml")
        feed = feedparser.parse(response.content)
        assert not feed.bozo, feed.get("bozo_exception")
        assert feed.version == "atom10"
        assert feed.feed.title == "Toolforge announcements"
        titles = [e.title for e in feed.entries]
        assert titles == [f"#{called_off} [maintenance] Called off",
                          f"#{hostile} [incident] <script>alert(1)</script> & co",
                          f"#{window} [maintenance] NFS maintenance"]  # fmt: skip
        nfs = feed.entries[2]
        assert nfs.link == "https://wikitech.example/nfs"
        assert nfs.content[0].value == "NFS will be read-only.\nPlan for it."
        assert nfs.tags[0].term == "maintenance"
        assert nfs.published_parsed[:5] == (2026, 12, 2, 8, 0)
        assert feed.entries[1].link.endswith(f"/announcements#announcement-{hostile}")
        for private in ("alice", "bob", "secret-tool", "irc:", "zulip:", "root-sre"):
            assert private not in response.text, f"{private!r} is not for the public"


async def test_an_empty_record_is_a_valid_page_and_feed(make_bot: MakeBot) -> None:
    async with served(make_bot) as (_, client):
        page = await client.get("/announcements")
        assert "No announcements yet." in page.text
        feed = feedparser.parse((await client.get("/announcements.atom")).content)
        assert not feed.bozo and feed.entries == []
