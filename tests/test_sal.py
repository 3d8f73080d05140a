"""The tools' Server Admin Log: every successful confirmed action, and nothing else, is
logged as ``!log tools.<tool> ...`` where configured (console here; IRC in tests/irc)."""

from __future__ import annotations

import io
import re

import pytest

from adapters.console import ConsoleAdapter
from bot.config import ConfigError, GitLabSettings, SalDestination, SalSettings, parse_config
from bot.core import Bot
from bot.reply import plain_text
from bot.sal import Acted, sal_line
from bot.toolforge.sandbox import Sandbox
from tests.conftest import MakeBot
from tests.migration.test_migrate_conversation import LEGACY_REPO, confirm, say
from tests.test_console_e2e import code_in
from tests.test_linking import Recorder

SAL = SalSettings(destinations=(SalDestination(to="console:#tools-sal"),))


def console(bot: Bot, account: str) -> tuple[ConsoleAdapter, io.StringIO]:
    out = io.StringIO()
    return ConsoleAdapter(bot, account, stdin=io.StringIO(), stdout=out, colour=False), out


async def sal_lines(bot: Bot, out: io.StringIO) -> list[str]:
    assert bot.pipeline.sal is not None
    await bot.pipeline.sal.drain()
    return [line for line in out.getvalue().splitlines() if line.startswith("!log")]


async def test_a_confirmed_restart_is_logged_once_with_who_asked(make_bot: MakeBot,
                                                                 sandbox: Sandbox) -> None:
    bot = await make_bot(sal=SAL)
    adapter, out = console(bot, "carol")
    asked = "\n".join(await adapter.handle_line("restart sample-brokenbuild app"))
    assert await sal_lines(bot, out) == [], "asking for a code changes nothing"
    await adapter.handle_line(f"confirm {code_in(asked)}")
    assert await sal_lines(bot, out) == [
        "!log tools.sample-brokenbuild restart the job app of sample-brokenbuild "
        "(via forgebot for carol)"
    ]
    assert "[#tools-sal]" in out.getvalue()
    events = await bot.services.store.audit_events(tool="sample-brokenbuild")
    assert ("sal", "sent", "console:#tools-sal") in [(e.action, e.result, e.detail)
                                                     for e in events]  # fmt: skip


async def test_reading_and_failing_are_not_logged(make_bot: MakeBot, sandbox: Sandbox) -> None:
    bot = await make_bot(sal=SAL)
    adapter, out = console(bot, "alice")
    await adapter.handle_line("logs sample-web webservice")
    await adapter.handle_line("status sample-web")
    asked = "\n".join(await adapter.handle_line("restart sample-crashloop"))
    await adapter.handle_line(f"confirm {code_in(asked)}")  # comes back crash-looping: failed
    sandbox.fail_next(status=500, path_prefix="/jobs/v1/tool/sample-web/jobs/webservice/restart")
    asked = "\n".join(await adapter.handle_line("restart sample-web webservice"))
    failed = "\n".join(await adapter.handle_line(f"confirm {code_in(asked)}"))
    assert "HTTP 500" in failed
    assert await sal_lines(bot, out) == []


async def test_a_destination_for_some_tools_hears_only_of_them(make_bot: MakeBot) -> None:
    only = SalSettings(destinations=(SalDestination(to="console:#web", tools=("sample-web",)),))
    bot = await make_bot(sal=only)
    adapter, out = console(bot, "carol")
    asked = "\n".join(await adapter.handle_line("restart sample-brokenbuild app"))
    await adapter.handle_line(f"confirm {code_in(asked)}")
    assert await sal_lines(bot, out) == []


async def test_a_destination_that_cannot_be_reached_is_audited_not_fatal(make_bot: MakeBot) -> None:
    sal = SalSettings(destinations=(SalDestination(to="irc:#nowhere"),))
    bot = await make_bot(sal=sal)
    adapter, _ = console(bot, "carol")
    asked = "\n".join(await adapter.handle_line("restart sample-brokenbuild app"))
    done = "\n".join(await adapter.handle_line(f"confirm {code_in(asked)}"))
    assert "1 restarted" in done
    assert bot.pipeline.sal is not None
    await bot.pipeline.sal.drain()
    events = await bot.services.store.audit_events(tool="sample-brokenbuild")
    row = next(e for e in events if e.action == "sal")
    assert row.result == "failed" and "no irc adapter is running" in row.detail


async def test_off_by_default(bot: Bot) -> None:
    assert bot.pipeline.sal is None


def test_the_line_is_one_redacted_line() -> None:
    acted = Acted("mytool", "set\nthings with token=xoxb-123456789-SECRET-abc", "bob", "k", "irc")
    line = sal_line(acted)
    assert "\n" not in line and "SECRET" not in line
    assert re.fullmatch(r"!log tools\.mytool set things with .* \(via forgebot for bob\)", line)


def test_a_destination_names_its_platform(tmp_path: object) -> None:
    with pytest.raises(ConfigError, match="sal.destinations.0.to: expected platform:destination"):
        parse_config({"sal": {"destinations": [{"to": "#channel"}]}}, {}, {}, base=tmp_path)  # type: ignore[arg-type]
    config = parse_config({"sal": {"destinations": [{"to": "irc:#wikimedia-cloud-feed"}]}}, {},
                          {}, base=tmp_path)  # type: ignore[arg-type]  # fmt: skip
    assert config.sal.destinations[0].to == "irc:#wikimedia-cloud-feed"


async def test_each_migration_step_is_logged(make_bot: MakeBot, sandbox: Sandbox) -> None:
    gitlab = sandbox.gitlab
    assert gitlab is not None
    gitlab.add_project("toolforge-repos/sample-legacy", LEGACY_REPO, writers={"tok"},
                       executable={"bin/relay.sh"})  # fmt: skip
    sal = SalSettings(destinations=(SalDestination(to="irc:#tools-sal"),))
    bot = await make_bot(gitlab=GitLabSettings(url=gitlab.url, token="tok"), sal=sal)
    recorder = Recorder()
    bot.attach(recorder)
    await say(bot, "bob", "migrate sample-legacy")
    await say(bot, "bob", f"migrate repo {gitlab.url}/toolforge-repos/sample-legacy")
    await confirm(bot, "bob", await say(bot, "bob", "migrate go"))
    sandbox.merge("sample-legacy")
    await confirm(bot, "bob", await say(bot, "bob", "migrate go"))
    sandbox.advance_builds(5)
    await say(bot, "bob", "migrate status")
    await confirm(bot, "bob", await say(bot, "bob", "migrate go"))
    assert bot.pipeline.sal is not None
    await bot.pipeline.sal.drain()
    lines = [plain_text(reply) for where, reply in recorder.sent if where == "#tools-sal"]
    assert len(lines) == 3, lines
    assert lines[0].startswith("!log tools.sample-legacy open a merge request on ")
    assert lines[1].startswith("!log tools.sample-legacy start a build of sample-legacy from ")
    assert lines[2].startswith("!log tools.sample-legacy create or update ")
    assert all(line.endswith("(via forgebot for bob)") for line in lines)
