"""quota, images, help topics and the small fixes of issue 15, end to end on the console
(and IRC-shaped rendering checked where the fix was about layout)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.commands import Permission, command, walk
from bot.core import Bot
from bot.help_topics import TOPICS
from bot.toolforge.sandbox import Sandbox
from commands import all_commands
from tests.conftest import HANG_TIMEOUT, MakeBot
from tests.fakes.zulip_server import FakeZulip
from tests.test_console_e2e import code_in, say
from tests.test_zulip_adapter import BOB, _no_proxy, running, zulip  # noqa: F401 (fixtures)


async def test_quota_shows_jobs_and_image_storage_to_anyone(bot: Bot) -> None:
    out = await say(bot, "bob", "quota sample-web")
    assert out.startswith("Quota of sample-web:")
    rows = [line.split() for line in out.splitlines()]
    assert ["Job", "definitions", "Continuous", "jobs", "(including", "web", "services)", "1",
            "3"] in rows  # fmt: skip
    assert ["Registry", "Storage", "212.13Mi", "976.56Mi"] in rows
    assert "(per job)" in out
    assert "there is no tool named 'sample-wbe'; did you mean sample-web?" in await say(
        bot, "bob", "quota sample-wbe"
    )


async def test_an_exhausted_quota_is_marked(bot: Bot) -> None:
    out = await say(bot, "bob", "quota sample-quota")
    assert "[exhausted]" in out and "(all used)" in out


async def test_quota_faults(make_bot: MakeBot, sandbox: Sandbox) -> None:
    bot = await make_bot(timeout=HANG_TIMEOUT)
    sandbox.fail_next(status=500, count=1, path_prefix="/builds/v1/tool/sample-web/quotas")
    partial = await say(bot, "bob", "quota sample-web")
    assert "[image storage unknown] the builds service" in partial
    assert "Running jobs" in partial, "the jobs quota is still shown"
    sandbox.hang_next(count=1, path_prefix="/jobs/v1/tool/sample-web/quotas")
    out = await say(bot, "bob", "quota sample-web")
    assert out == (
        f"error: the jobs service did not answer within {HANG_TIMEOUT:g} s; "
        "the quota of sample-web was not read."
    )


async def test_images_mark_the_deprecated_ones_still_in_use(bot: Bot) -> None:
    out = await say(bot, "bob", "images sample-legacy")
    lines = out.splitlines()
    assert lines[1].split() == ["IMAGE", "KIND", "STATE", "USED", "BY"]
    assert lines[2].split() == ["php7.4", "pre-built", "[deprecated]", "update-stats"]
    assert "python3.11  pre-built  [stable]" in out
    assert "bullseye" not in out, "a deprecated image nobody uses is not offered"
    assert lines[-1].startswith("[deprecated] php7.4, python3.9: new jobs cannot use them")
    own = await say(bot, "bob", "images sample-web")
    mine = "tool-sample-web/tool-sample-web:latest  built by the tool  [stable]"
    assert f"{mine}  refresh-cache, webservice" in own
    assert "[deprecated]" not in own


async def test_images_when_the_jobs_api_is_down(make_bot: MakeBot, sandbox: Sandbox) -> None:
    bot = await make_bot(timeout=HANG_TIMEOUT)
    sandbox.fail_next(status=500, count=1, path_prefix="/jobs/v1/tool/sample-web/images")
    out = await say(bot, "bob", "images sample-web")
    assert out == (
        "error: the jobs service is unavailable (HTTP 500); the images of sample-web were not read."
    )


@pytest.mark.parametrize("topic", TOPICS, ids=lambda t: t.key)
async def test_each_help_topic_links_its_pages(bot: Bot, topic: object) -> None:
    key = topic.key
    out = await say(bot, "bob", f"help {key}")
    assert out.startswith(topic.title)
    for label, url in topic.links:
        assert f"• {label} <{url}>" in out
    alias = topic.aliases[0]
    assert await say(bot, "bob", f"help {alias}") == out


async def test_help_names_topics_and_suggests_them(bot: Bot) -> None:
    topics = "Topics: domains, oauth, replicas, adoption, email, storage"
    assert topics in await say(bot, "bob", "help")
    assert "did you mean email?" in await say(bot, "bob", "help emial")
    assert "wiki replicas" in (await say(bot, "bob", "help wiki replicas")).lower()


async def test_help_keeps_usage_summary_and_details_apart(bot: Bot) -> None:
    out = (await say(bot, "bob", "help products")).splitlines()
    assert out[0] == "Usage: products [answers...]"
    assert out[1].startswith("Which Wikimedia Cloud Services product fits what you want to do. ")
    migrate = (await say(bot, "bob", "help migrate")).splitlines()
    assert migrate[1].startswith("Plan and carry out the move of a tool to the build service, ")
    assert "step by step. Start with" in migrate[1]


def test_every_maintainer_command_says_what_it_does() -> None:
    # The refusal reads "only maintainers of X may <acts>"; "may logs it" came from a
    # command without one.
    for cmd in walk(all_commands()):
        if cmd.permission is Permission.MAINTAINER:
            assert cmd.acts, cmd.path
    with pytest.raises(ValueError, match="must say what it does"):
        command("logs", summary="x", permission=Permission.MAINTAINER, tool_arg="tool")(None)


async def test_a_near_miss_job_name_is_suggested(bot: Bot) -> None:
    for line in ("status sample-web webservce", "logs sample-web webservce",
                 "restart sample-web webservce"):  # fmt: skip
        out = await say(bot, "alice", line)
        assert "has no job 'webservce'; did you mean webservice? (its jobs: " in out, line
        assert "confirm" not in out
    far = await say(bot, "alice", "status sample-web zzz")
    assert "did you mean" not in far and "has no job 'zzz'" in far


async def test_a_restart_says_restarted_once_per_job(bot: Bot) -> None:
    asked = await say(bot, "carol", "restart sample-brokenbuild app")
    done = await say(bot, "carol", f"confirm {code_in(asked)}")
    [line] = [line for line in done.splitlines() if line.startswith("• app")]
    assert line.count("restarted") == 1, line


def _forgebot(*args: str, cwd: Path, stdin: str, env: dict[str, str]) -> str:
    script = Path(sys.executable).parent / "forgebot"
    done = subprocess.run([str(script), *args], input=stdin, capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=120, check=True)  # fmt: skip
    return done.stdout


def test_sandbox_demos_start_fresh_and_leave_nothing_behind(tmp_path: Path) -> None:
    chosen = ("FORGEBOT_DATA_DIR", "FORGEBOT_DATABASE_URL", "FORGEBOT_CONFIG")
    env = {k: v for k, v in os.environ.items() if k not in chosen}
    first = _forgebot("console", "--sandbox", cwd=tmp_path, env=env,
                      stdin="restart sample-web web\n")  # fmt: skip
    second = _forgebot("console", "--sandbox", cwd=tmp_path, env=env,
                       stdin=f"confirm {code_in(first)}\n")  # fmt: skip
    assert "no pending action" in second, "a code from an earlier demo run must not work"
    assert list(tmp_path.iterdir()) == [], "nothing written in the working directory"


async def test_quota_images_and_a_topic_on_zulip(
    zulip: FakeZulip,  # noqa: F811 (the fixture)
    make_bot: MakeBot,
) -> None:
    async with running(zulip, await make_bot()):
        for line in ("quota sample-web", "images sample-legacy", "help oauth"):
            zulip.inject_stream(BOB, "toolforge", "help", f"!tf {line}")
        await zulip.wait_for(lambda: len(zulip.sent) == 3)
    quota, images, topic = (sent.content for sent in zulip.sent)
    assert all(sent.type == "stream" for sent in zulip.sent), "all of it is public"
    assert "| Registry | Storage | 212.13Mi | 976.56Mi |" in quota
    assert "| php7.4 | pre-built | 🟡 deprecated | update-stats |" in images
    assert "[OAuth for developers](https://www.mediawiki.org/wiki/OAuth/For_Developers)" in topic
