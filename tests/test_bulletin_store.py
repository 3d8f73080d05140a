"""The store's answers for news and reminders, on SQLite, MariaDB and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from bot.bulletin.reading import news
from bot.store import Store
from tests.bulletin_support import T0, announce, channel, person
from tests.store_fixtures import shared_db_url, store

__all__ = ["shared_db_url", "store"]
H = timedelta(hours=1)


async def test_scopes_match_tool_names_literally(store: Store) -> None:
    wide = await announce(store, "wide", channel("irc:#c"), start=H)
    underscore = await announce(store, "a_b", person("bob", "irc:bob", "a_b", "zz"), start=H)
    percent = await announce(store, "100%", person("eve", "irc:eve", "100%"), start=H)
    ids = [wide, underscore, percent]
    assert await store.announcement_scopes(ids, "axb") == ({underscore, percent}, set())
    assert await store.announcement_scopes(ids, "a_b") == ({underscore, percent}, {underscore})
    assert await store.announcement_scopes(ids, "100") == ({underscore, percent}, set())
    assert await store.announcement_scopes(ids, "100%") == ({underscore, percent}, {percent})
    assert await store.announcement_scopes([], "a_b") == (set(), set())


async def test_news_for_a_tool_keeps_what_names_it_and_what_is_toolforge_wide(
    store: Store,
) -> None:
    wide = await announce(store, "wide", channel("irc:#c"), severity="incident")
    mine = await announce(store, "mine", person("bob", "irc:bob", "web", "other"), start=H)
    await announce(store, "theirs", person("bob", "irc:bob", "webx"), start=H)
    await announce(store, "over", person("bob", "irc:bob", "web"), start=-2 * H, length=H)
    views = await news(store, T0, "web")
    assert [(v.id, v.tools) for v in views] == [(wide, None), (mine, frozenset({"web"}))]
    everything = await news(store, T0)
    assert [v.title for v in everything] == ["wide", "mine", "theirs"]
