"""One test per rule of who a Slack sender is (adapters/slack/inbound.py) and of the
replay check on signed requests (adapters/slack/replays.py).

``users.info`` is asked of the fake Slack over real HTTP. ``make deletions``
deletes each rule in turn and checks that a test fails here or in
tests/test_slack_adapter.py (bad signatures, replays, other workspaces).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.inbound import UserDirectory, strip_mention, to_plain
from adapters.slack.replays import Replays
from tests.fakes.slack_server import FakeSlack, SlackUser
from tests.test_run_command import free_port
from tests.test_zulip_adapter import _no_proxy  # noqa: F401  (autouse: loopback only)


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    fake.users["U0DORA"] = SlackUser("U0DORA", "dora", "")  # no email in her profile
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


def directory(slack: FakeSlack, *, lookup: bool = True, ttl: float = 60) -> UserDirectory:
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    users = UserDirectory(client, ttl=ttl, lookup=lookup)
    users.home_team = slack.team_id
    return users


async def test_a_confirmed_email_of_our_workspace_comes_with_the_identity(
    slack: FakeSlack,
) -> None:
    sender = await directory(slack).identity("U0ALICE", "alice-name", "T0001")
    who = sender.identity
    assert (who.platform, who.user_id, who.display, who.email) == (
        "slack", "T0001:U0ALICE", "alice", "alice@example.org",
    )  # fmt: skip
    assert not sender.is_bot


async def test_an_unconfirmed_email_is_dropped(slack: FakeSlack) -> None:
    who = (await directory(slack).identity("U0CAROL")).identity
    assert (who.user_id, who.email) == ("T0001:U0CAROL", None)


async def test_another_workspaces_user_keeps_its_team_and_loses_its_email(
    slack: FakeSlack,
) -> None:
    # users.info says T0OTHER, whatever team the event named.
    who = (await directory(slack).identity("U0GUEST", "", "T0001")).identity
    assert (who.user_id, who.email) == ("T0OTHER:U0GUEST", None)


async def test_without_a_home_team_no_email_is_believed(slack: FakeSlack) -> None:
    users = directory(slack)
    users.home_team = ""
    who = (await users.identity("U0ALICE")).identity
    assert (who.user_id, who.email) == ("T0001:U0ALICE", None)


async def test_a_bot_user_is_marked_as_one(slack: FakeSlack) -> None:
    assert (await directory(slack).identity("U0HELPER")).is_bot
    assert not (await directory(slack).identity("U0BOB")).is_bot


async def test_a_failed_lookup_is_the_id_alone_with_the_events_team(slack: FakeSlack) -> None:
    users = directory(slack)
    slack.fail("users.info", 500)
    sender = await users.identity("U0BOB", "bob-from-event", "T0001")
    assert (sender.identity.user_id, sender.identity.display, sender.identity.email) == (
        "T0001:U0BOB", "bob-from-event", None,
    )  # fmt: skip
    unknown = await users.identity("U0NOBODY", "", "T0001")  # user_not_found
    assert (unknown.identity.user_id, unknown.identity.email) == ("T0001:U0NOBODY", None)


async def test_a_profile_without_email_has_none(slack: FakeSlack) -> None:
    who = (await directory(slack).identity("U0DORA")).identity
    assert (who.user_id, who.display, who.email) == ("T0001:U0DORA", "dora", None)


async def test_lookups_are_cached_and_can_be_turned_off(slack: FakeSlack) -> None:
    users = directory(slack)
    await users.identity("U0BOB")
    await users.identity("U0BOB")
    assert users.lookups == 1
    off = directory(slack, lookup=False)
    who = (await off.identity("U0ALICE", "al", "T0001")).identity
    assert (who.user_id, who.display, who.email, off.lookups) == ("T0001:U0ALICE", "al", None, 0)


def test_a_signature_seen_within_the_window_is_a_replay() -> None:
    replays = Replays(window=300)
    assert replays.seen("v0=aa") is False
    assert replays.seen("v0=bb") is False
    assert replays.seen("v0=aa") is True
    assert replays.seen("v0=aa") is True


def test_a_signature_is_forgotten_after_its_window() -> None:
    replays = Replays(window=0)  # each entry has expired by the next call
    assert replays.seen("v0=aa") is False
    assert replays.seen("v0=aa") is False


def test_the_oldest_signatures_go_first_when_the_table_is_full() -> None:
    replays = Replays(window=300, size=2)
    for signature in ("v0=1", "v0=2", "v0=3"):
        assert replays.seen(signature) is False
    assert replays.seen("v0=2") is True
    assert replays.seen("v0=3") is True
    assert replays.seen("v0=1") is False  # pushed out by the third


# -- the words of a message ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "bot", "expected"),
    [
        ("<@U0BOT> restart x", "U0BOT", ("restart x", True)),
        ("<@U0BOT|forgebot>: , restart x ", "U0BOT", ("restart x", True)),
        ("restart <@U0BOT> now", "U0BOT", ("restart  now", True)),
        ("hey <@U0OTHER> restart", "U0BOT", ("hey <@U0OTHER> restart", False)),
        ("hey <@U0BOTX> restart", "U0BOT", ("hey <@U0BOTX> restart", False)),
        ("  restart x ", None, ("restart x", False)),
        (": restart x", "U0BOT", (": restart x", False)),  # no mention: nothing stripped
    ],
)
def test_the_bots_mention_is_taken_out_and_noticed(
    text: str, bot: str | None, expected: tuple[str, bool]
) -> None:
    assert strip_mention(text, bot) == expected


def test_slack_markup_becomes_the_words_typed() -> None:
    markup = (
        "see <#C123|ops> and <#C456> ask <@U1|bob> <@U2> <!here> <!subteam^S1|devs> "
        "<!channel^x> <mailto:a@b.org|mail> <mailto:c@d.org> <https://x.org|x> "
        "<https://y.org> &lt;tag&gt; &amp;lt;"
    )
    assert to_plain(markup) == (
        "see #ops and #C456 ask @bob @U2 @here @devs @channel mail c@d.org x https://y.org "
        "<tag> &lt;"
    )


# -- the users.info cache -------------------------------------------------------------


async def test_each_person_is_looked_up_once_even_when_asked_together(slack: FakeSlack) -> None:
    users = directory(slack)
    both = await asyncio.gather(users.identity("U0BOB"), users.identity("U0BOB"))
    assert [s.identity.email for s in both] == ["bob@example.org"] * 2
    await users.identity("U0ALICE")
    assert users.lookups == 2


async def test_the_cache_keeps_the_most_recent_people(slack: FakeSlack) -> None:
    users = UserDirectory(AsyncWebClient(token=slack.bot_token, base_url=slack.api_url),
                          ttl=60, size=2)  # fmt: skip
    for user in ("U0ALICE", "U0BOB", "U0EVE"):
        await users.identity(user)
    await users.identity("U0BOB")  # still cached
    assert users.lookups == 3
    await users.identity("U0ALICE")  # the oldest went first
    assert users.lookups == 4


async def test_a_failed_lookup_is_logged_and_cached_briefly(
    slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="adapters.slack.inbound")
    users = directory(slack)
    await users.identity("U0NOBODY", "", "T0001")  # user_not_found
    await users.identity("U0NOBODY", "", "T0001")  # from the cache: one lookup
    assert users.lookups == 1
    assert caplog.messages == ["users.info U0NOBODY failed (user_not_found); using the id alone"]
    offline = UserDirectory(AsyncWebClient(token="x", base_url=f"http://127.0.0.1:{free_port()}/"),
                            ttl=60)  # fmt: skip
    offline.home_team = "T0001"
    for _ in range(2):
        who = (await offline.identity("U0BOB", "bob", "T0001")).identity
        assert (who.user_id, who.display, who.email) == ("T0001:U0BOB", "bob", None)
    assert offline.lookups == 1
    assert caplog.messages[1].startswith("users.info U0BOB failed: ClientConnectorError")


async def test_without_any_team_the_events_team_names_the_identity(slack: FakeSlack) -> None:
    users = directory(slack, lookup=False)
    users.home_team = ""
    assert (await users.identity("U0X", "x", "T0EVT")).identity.user_id == "T0EVT:U0X"
