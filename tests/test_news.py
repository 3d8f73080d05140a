"""news, and the same news inside status and diagnose: is it me or is it Toolforge?"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core import Bot
from tests.bulletin_support import FakeClock, announce, channel, person
from tests.test_console_e2e import say


@pytest.fixture
def clock(bot: Bot) -> FakeClock:
    clock = FakeClock()
    bot.services.clock = clock
    return clock


async def test_no_news_says_so_in_a_sentence(bot: Bot, clock: FakeClock) -> None:
    out = await say(bot, "bob", "news")
    assert "No current incidents and no maintenance planned on Toolforge" in out
    assert "diagnose <tool>" in out


async def test_news_lists_incidents_and_windows_now_and_to_come(
    bot: Bot, clock: FakeClock
) -> None:
    store = bot.services.store
    h = timedelta(hours=1)
    nfs = await announce(store, "NFS maintenance", channel("irc:#wikimedia-cloud"),
                         start=-h, length=3 * h)  # fmt: skip
    k8s = await announce(store, "Kubernetes upgrade", person("bob", "irc:bob", "sample-web"),
                         start=timedelta(days=3), length=2 * h, link="https://wikitech.example/k8s")
    lag = await announce(store, "Replica lag", channel("irc:#wikimedia-cloud"),
                         severity="incident", now=clock.now - 20 * timedelta(minutes=1))
    out = await say(bot, "bob", "news")
    assert "Toolforge news (2 now, 1 upcoming):" in out
    assert f"[maintenance now] #{nfs} NFS maintenance: until 10:00 UTC (another 2 h)" in out
    assert f"[incident] #{lag} Replica lag: since 07:40 UTC, 20 min ago" in out
    assert (f"[maintenance] #{k8s} Kubernetes upgrade: Dec 5 08:00 UTC to Dec 5 10:00 UTC "
            "(in 3 d) details <https://wikitech.example/k8s>") in out  # fmt: skip
    assert out.index(f"#{nfs}") < out.index(f"#{k8s}"), "what happens now comes first"


async def test_ended_cancelled_and_stale_ones_are_not_news(bot: Bot, clock: FakeClock) -> None:
    store = bot.services.store
    h = timedelta(hours=1)
    await announce(store, "Yesterday's window", channel("irc:#c"), start=-3 * h, length=h)
    await announce(store, "Old incident", channel("irc:#c"), severity="incident",
                   now=clock.now - timedelta(days=2))  # fmt: skip
    called_off = await announce(store, "Called off", channel("irc:#c"), start=h, length=h)
    await store.announcement_cancel(called_off, by="root-sre", now=clock.now)
    await announce(store, "A plain notice", channel("irc:#c"), severity="info")
    assert "No current incidents" in await say(bot, "bob", "news")
    # the window of a current one ends: it leaves the news on the bot's clock
    await announce(store, "Short window", channel("irc:#c"), start=-h, length=2 * h)
    assert "Short window" in await say(bot, "bob", "news")
    clock.advance(hours=1, minutes=1)
    assert "No current incidents" in await say(bot, "bob", "news")


async def test_status_and_diagnose_carry_the_news_that_concerns_the_tool(
    bot: Bot, clock: FakeClock
) -> None:
    store = bot.services.store
    h = timedelta(hours=1)
    mine = await announce(store, "Grid image retired", person("bob", "irc:bob", "sample-web"),
                          start=-h, length=4 * h)  # fmt: skip
    other = await announce(store, "Other tool's move", person("bob", "irc:bob", "sample-web2"),
                           start=-h, length=4 * h)  # fmt: skip
    wide = await announce(store, "Toolforge-wide outage", channel("zulip:stream:cloud>ops"),
                          severity="incident")  # fmt: skip
    status = await say(bot, "carol", "status sample-web")
    heading = "[Toolforge news] that concerns sample-web (it may be Toolforge, not the tool):"
    assert heading in status
    assert f"#{mine} Grid image retired" in status and f"#{wide} Toolforge-wide outage" in status
    assert f"#{other} " not in status, "sample-web2 is not sample-web, though its name starts so"
    assert status.index("Toolforge news") < status.index("JOB"), "the news comes first"
    diagnosis = await say(bot, "carol", "diagnose sample-web")
    assert f"#{mine} Grid image retired" in diagnosis and f"#{other} " not in diagnosis
    # a tool no announcement names sees only the Toolforge-wide one
    assert f"#{mine} " not in await say(bot, "carol", "status sample-crashloop")


async def test_status_without_news_is_as_short_as_before(bot: Bot, clock: FakeClock) -> None:
    status = await say(bot, "carol", "status sample-web")
    assert status.startswith("sample-web: web service [running] at "), status
    assert "Toolforge news" not in status


async def test_is_it_me_or_toolforge_in_plain_words_is_news(bot: Bot, clock: FakeClock) -> None:
    await announce(bot.services.store, "Replica lag", channel("irc:#c"), severity="incident")
    for question in ("is toolforge down?", "is it me or is it Toolforge?",
                     "any toolforge outage", "is there an incident"):  # fmt: skip
        out = await say(bot, "carol", question)
        assert out.startswith("I read this as 'news'."), (question, out)
        assert "Replica lag" in out
    assert "I read this as 'diagnose sample-web'" in await say(bot, "carol", "is sample-web down")
