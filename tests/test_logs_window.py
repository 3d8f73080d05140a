"""Logs further back than the last hour, jobs that log to files, and scheduled jobs' runs:
the console and the core against the sandbox over real HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core import Bot
from bot.errors import UsageError
from bot.job_view import next_run, runs_text
from bot.log_window import parse_since
from bot.toolforge import Job
from bot.toolforge.sandbox import Sandbox
from tests.conftest import MakeBot
from tests.fakes.zulip_server import FakeZulip
from tests.test_console_e2e import say
from tests.test_zulip_adapter import (  # noqa: F401  (the fake Zulip fixture)
    BOB,
    _no_proxy,  # noqa: F401  (autouse: loopback only)
    zulip,
)
from tests.test_zulip_adapter import running as zulip_running

NOW = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)


async def test_since_reaches_lines_older_than_the_last_hour(bot: Bot, sandbox: Sandbox) -> None:
    sandbox.append_logs("sample-cron", "daily-report", ["old line from the morning"])
    sandbox.advance(3 * 3600)
    sandbox.append_logs("sample-cron", "daily-report", ["fresh line"])
    recent = await say(bot, "bob", "logs sample-cron daily-report")
    assert "fresh line" in recent and "old line from the morning" not in recent
    older = await say(bot, "bob", "logs sample-cron daily-report --since 6h")
    assert "log lines of sample-cron/daily-report (in the last 6 hours)" in older
    assert "old line from the morning" in older and "fresh line" in older
    assert ("GET", "/logs/v1/tool/sample-cron/job/daily-report/logs") in sandbox.requests


async def test_since_takes_an_iso_time_and_says_so(bot: Bot, sandbox: Sandbox) -> None:
    sandbox.append_logs("sample-cron", "purge-cache", ["an early line"])
    start = sandbox.world.now() - timedelta(minutes=5)
    sandbox.advance(2 * 3600)
    out = await say(bot, "bob", f"logs sample-cron purge-cache --since {start:%Y-%m-%dT%H:%M}")
    assert f"(since {start:%Y-%m-%d %H:%M} UTC)" in out and "an early line" in out


async def test_an_empty_window_says_which_window_and_how_to_look_further(bot: Bot,
                                                                        sandbox: Sandbox) -> None:
    sandbox.advance(2 * 3600)
    out = await say(bot, "bob", "logs sample-cron daily-report")
    assert "No log lines for sample-cron/daily-report in the last hour" in out
    assert "--since 6h" in out
    out = await say(bot, "bob", "logs sample-cron daily-report --since 1d")
    assert "report: done, 1234 rows" in out and "SECRET" not in out


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("yesterday", "neither a duration (6h, 2d, 1h30m) nor a time"),
        ("40d", "at most 30 days"),
        ("2099-01-01", "is in the future"),
        ("0h", "at least one second"),
    ],
)
async def test_bad_windows_are_sentences_and_nothing_is_read(bot: Bot, sandbox: Sandbox,
                                                             typed: str, says: str) -> None:
    before = len(sandbox.requests)
    out = await say(bot, "alice", f"logs sample-web webservice --since {typed}")
    assert out.startswith("error:") and says in out
    assert not [r for r in sandbox.requests[before:] if "/logs/" in r[1]]


def test_windows_as_the_logs_api_takes_them() -> None:
    assert parse_since("2d", NOW).api == "48h"
    assert parse_since("1h30m", NOW).words == "in the last 1 hour 30 minutes"
    assert parse_since("2026-12-01 10:00", NOW).api == "2026-12-01T10:00:00+00:00"
    assert parse_since("2026-12-01T11:00+01:00", NOW).api == "2026-12-01T10:00:00+00:00"
    with pytest.raises(UsageError):
        parse_since("6 hours", NOW)


async def test_the_logs_service_failing_is_a_sentence(bot: Bot, sandbox: Sandbox) -> None:
    sandbox.fail_next(status=500, count=2, path_prefix="/logs/v1/")
    out = await say(bot, "alice", "logs sample-web webservice --since 2d")
    assert "the logs service is unavailable (HTTP 500); no logs of webservice were read" in out


async def test_a_file_logging_job_is_explained(bot: Bot, sandbox: Sandbox) -> None:
    before = len(sandbox.requests)
    out = await say(bot, "bob", "logs sample-legacy irc-relay")
    assert "sample-legacy/irc-relay writes its output to files" in out
    assert "output in ~/irc-relay.out, errors in ~/irc-relay.err" in out
    assert "/data/project/sample-legacy/irc-relay.out" in out
    assert "become sample-legacy and tail -n 50 ~/irc-relay.out" in out
    assert "no-filelog: true" in out and "toolforge jobs load" in out
    assert "Help:Toolforge/Jobs_framework#Job_logs" in out
    assert not [r for r in sandbox.requests[before:] if r[1].startswith("/logs/")]
    events = await bot.services.store.audit_events(tool="sample-legacy")
    assert [(e.action, e.result) for e in events] == [("logs", "ok")]


async def test_status_shows_last_and_next_run_of_scheduled_jobs(bot: Bot, sandbox: Sandbox) -> None:
    sandbox.advance(2 * 86400)
    overview = await say(bot, "bob", "status sample-cron")
    assert "17 */6 * * *; last " in overview and ", next " in overview
    detail = await say(bot, "bob", "status sample-cron purge-cache")
    job = (await bot.services.toolforge.get_job("sample-cron", "purge-cache")).raw["status"]
    last = datetime.fromisoformat(job["previous_schedule"].replace("Z", "+00:00"))
    upcoming = datetime.fromisoformat(job["next_schedule"].replace("Z", "+00:00"))
    assert f"last run: {last:%Y-%m-%d %H:%M} UTC" in detail
    assert f"next run: {upcoming:%Y-%m-%d %H:%M} UTC" in detail


def test_next_run_is_computed_from_the_schedule_when_the_api_does_not_say() -> None:
    job = Job(name="purge", job_type="scheduled", schedule="@daily", schedule_actual="22 5 * * *")
    assert next_run(job, NOW) == (datetime(2026, 12, 2, 5, 22, tzinfo=UTC) + timedelta(days=1),
                                  True)  # fmt: skip
    said = Job(name="p", job_type="scheduled", schedule="@daily",
               next_schedule="2026-12-02T09:00:00Z", previous_schedule="2026-12-01T09:00:00Z")
    assert runs_text(said, NOW) == "last 2026-12-01 09:00 UTC, next 2026-12-02 09:00 UTC"
    unknown = Job(name="q", job_type="scheduled", schedule="@daily")
    assert runs_text(unknown, NOW) == "not run yet, next run unknown"


async def test_on_zulip_a_file_logging_job_is_explained_privately(
    zulip: FakeZulip, make_bot: MakeBot  # noqa: F811
) -> None:
    bot = await make_bot()
    await bot.services.store.link_add("zulip:12", "bob", "test")
    async with zulip_running(zulip, bot):
        zulip.inject_stream(BOB, "general", "bot", "!tf logs sample-legacy irc-relay")
        await zulip.wait_for(lambda: len(zulip.sent) == 2)
    dm, notice = zulip.sent
    assert dm.type == "private" and dm.to == (BOB,)
    assert "writes its output to files" in dm.content and "~/irc-relay.out" in dm.content
    assert "[Job logs](https://wikitech.wikimedia.org/wiki/Help:Toolforge/Jobs_framework" \
        "#Job_logs)" in dm.content  # fmt: skip
    assert notice.type == "stream" and "irc-relay.out" in notice.content  # the summary only
