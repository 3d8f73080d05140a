"""Attacks through Slack and Zulip against the real core: the verdict is 0 actions by
anyone but a maintainer, and 0 secrets in anything the bot sent.

Each attack is one a review tried for real: forged, stale and replayed Slack
requests, another workspace's user with a maintainer's email, another app's bot,
a Zulip integration bot, someone else's confirmation code, guessing codes, names
of 300 characters and names ending in a newline, and logs asked by non-maintainers.
"""

from __future__ import annotations

import json
import re
import time

import pytest

from bot.core import Bot
from bot.toolforge.sandbox import Sandbox
from tests.conftest import MakeBot
from tests.fakes.slack_server import FakeSlack
from tests.test_pasted_grid import zulip_serving
from tests.test_slack_adapter import http_mode, post_signed

ALICE, BOB, EVE, CI_BOT = 11, 12, 15, 16  # Zulip users; alice maintains sample-crashloop
TOOL, JOB = "sample-crashloop", "irc-bot"


def leaks(sent: list[str], sandbox: Sandbox) -> list[str]:
    return [t for t in sent for s in sandbox.fake_secrets if s in t or "SECRET" in t]


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


async def test_slack_attacks_change_nothing_and_show_no_secret(
    make_bot: MakeBot, sandbox: Sandbox
) -> None:
    bot: Bot = await make_bot()
    slack = FakeSlack()
    await slack.start()
    try:
        async with http_mode(slack, bot) as (_, url):
            asked = slack.slash("U0ALICE", f"restart {TOOL} {JOB}", response_id="alice")
            assert (await post_signed(url, asked, form=True))[0] == 200
            await slack.wait_for(lambda: len(slack.responses) == 1)
            code = re.search(r"confirm (\d{4})", json.dumps(slack.responses[0][1]))
            assert code is not None
            attacks = [
                # a forged signature, a stale request: refused before anything runs
                (slack.slash("U0ALICE", f"confirm {code.group(1)}"), {"secret": "forged"}),
                (slack.slash("U0ALICE", f"confirm {code.group(1)}"), {"age": 600}),
                # another workspace's user with alice's verified email; another person
                (slack.slash("U0GUEST", f"confirm {code.group(1)}", response_id="g1"), {}),
                (slack.slash("U0GUEST", f"restart {TOOL}", response_id="g2"), {}),
                (slack.slash("U0EVE", f"confirm {code.group(1)}", response_id="e1"), {}),
                (slack.slash("U0EVE", f"logs {TOOL} --here", response_id="e2"), {}),
                (slack.slash("U0EVE", "restart " + "t" * 300, response_id="e3"), {}),
                (slack.slash("U0EVE", 'status "sample-web\n"', response_id="e4"), {}),
            ]
            statuses = [(await post_signed(url, payload, form=True, **how))[0]  # type: ignore[arg-type]
                        for payload, how in attacks]  # fmt: skip
            assert statuses[:2] == [401, 401] and set(statuses[2:]) == {200}
            # replaying alice's own signed request: refused
            stamp = str(int(time.time()))
            mine = slack.slash("U0ALICE", "whoami", response_id="mine")
            assert (await post_signed(url, mine, form=True, stamp=stamp))[0] == 200
            assert (await post_signed(url, mine, form=True, stamp=stamp))[0] == 401
            await slack.wait_for(lambda: len(slack.responses) == 8)
    finally:
        await slack.stop()
    sent = [json.dumps(body) for _, body, _ in slack.responses]
    assert leaks(sent, sandbox) == []
    assert sandbox.restart_count(TOOL, JOB) == 0
    audit = await bot.services.store.audit_events(tool=TOOL)
    assert {e.actor_account for e in audit if e.result not in ("refused",)} == {"alice"}


async def test_zulip_attacks_change_nothing_and_show_no_secret(
    make_bot: MakeBot, sandbox: Sandbox
) -> None:
    bot: Bot = await make_bot()
    await bot.services.store.link_add("zulip:15", "dave", "test")  # eve is dave: no tool here
    async with zulip_serving(bot) as zulip:
        zulip.inject_dm(ALICE, f"restart {TOOL} {JOB}")
        await zulip.wait_for(lambda: len(zulip.sent) == 1)
        code = re.search(r"confirm (\d{4})", zulip.sent[0].content)
        assert code is not None
        zulip.inject_dm(CI_BOT, f"confirm {code.group(1)}")  # a bot: never answered
        zulip.inject_dm(EVE, f"confirm {code.group(1)}")  # not her code
        for guess in range(5):
            zulip.inject_dm(EVE, f"confirm {guess:04d}")
        zulip.inject_dm(EVE, f"logs {TOOL} --here")
        zulip.inject_stream(BOB, "toolforge", "ops", f"!tf logs {TOOL} --here")
        zulip.inject_dm(BOB, "restart " + "t" * 300)
        await zulip.wait_for(lambda: len(zulip.sent) == 10)
        eves = [m.content for m in zulip.sent if m.to == (EVE,)]
        assert "confirm is locked for you" in eves[-2]
    sent = [m.content for m in zulip.sent]
    assert leaks(sent, sandbox) == []
    assert sandbox.restart_count(TOOL, JOB) == 0
    assert not [m for m in zulip.sent if m.to == (CI_BOT,)]
