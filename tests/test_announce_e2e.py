"""announce end to end: an admin at the console announces a maintenance window to the
maintainers of every tool with jobs on a deprecated image (in the sandbox: sample-legacy,
bob and dave) and to a Zulip stream; bob is linked on Zulip and Slack, dave on nothing
(mail). Preview, confirm, delivery on each platform, ack, status, cancel, the audit."""

from __future__ import annotations

import io
import re

from adapters.console import ConsoleAdapter
from bot.toolforge.sandbox import Sandbox
from tests.announce_rig import STREAM, Rig, announcing
from tests.conftest import MakeBot
from tests.fakes.zulip_server import Sent

BOB_ZULIP, BOB_SLACK = "zulip:12", "slack:T0001:U0BOB"
WINDOW = "--window 2026-12-05T10:00/12:00"
TEXT = ("maintenance NFS restart | The **NFS** servers restart; jobs that write to "
        "/data/project pause.\n- nothing to do\n- see [the plan](https://wikitech.wikimedia.org/x)")


async def link_bob(rig: Rig) -> None:
    store = rig.bot.services.store
    await store.link_add(BOB_ZULIP, "bob", "root-sre")
    await store.link_add(BOB_SLACK, "bob", "root-sre")


async def test_a_maintenance_window_reaches_every_affected_maintainer_once(
    make_bot: MakeBot,
) -> None:
    async with announcing(make_bot) as rig:
        await link_bob(rig)
        preview, queued = await rig.announce(
            f"--to {STREAM} --deprecated-images {WINDOW} {TEXT}"
        )
        assert "This will send the maintenance announcement “NFS restart” to 2 maintainers " \
               f"of 1 tool and {STREAM}." in preview  # fmt: skip
        assert "Preview: 1 tool, 2 maintainers; reachable: email 1, Slack 1, Zulip 1, " \
               "unreachable 0; 1 channel." in preview  # fmt: skip
        assert "What bob will get:" in preview and "Window: 2026-12-05 10:00 to 12:00 UTC" in (
            preview)  # fmt: skip
        assert "You get this as a maintainer of sample-legacy" in preview
        assert "Announcement #1 is queued: 4 deliveries to make" in queued

        await rig.until(lambda: len(rig.zulip.sent) == 2 and len(rig.smtp.received) == 1
                        and len(rig.slack.posted("chat.postMessage")) == 1)  # fmt: skip
        stream, dm = sorted(rig.zulip.sent, key=lambda s: s.type, reverse=True)
        assert (stream.type, stream.to, stream.topic) == ("stream", "general", "maintenance")
        assert "**NFS restart**" in stream.content and "maintainer of" not in stream.content
        assert dm == Sent("private", (12,), "", dm.content)
        assert "sample-legacy" in dm.content and "**ack 1**" in dm.content
        assert "[the plan](https://wikitech.wikimedia.org/x)" in dm.content
        [slack_dm] = rig.slack.posted("chat.postMessage")
        assert slack_dm.args["channel"] == "U0BOB" and "sample-legacy" in str(slack_dm.args)
        [mail] = rig.smtp.received
        assert mail.to == ["dave@toolforge.org"]
        assert mail.message["Subject"] == "[Toolforge maintenance] NFS restart"
        assert "Window: 2026-12-05 10:00 to 12:00 UTC" in mail.text and "ack 1" in mail.text

        store = rig.bot.services.store
        await rig.until(lambda: rig.dispatcher.sent == 4)
        assert await store.announcement_ack(1, "bob") == "acked"
        status = await rig.say("announce status 1")
        assert "4 deliveries: [4 sent]" in status and "; fan-out finished" in status
        assert "reached 2 of 2 people, 1 acknowledged" in status
        assert re.search(r"sample-legacy\s+\|?\s*2\s+\|?\s*2\s+\|?\s*1\s+\|?\s*0", status), status
        assert re.search(r"dave .*email sent .* no", status), status

        cancelled = await rig.say("announce cancel 1")
        assert "0 deliveries not yet made will not be; 4 had been made already" in cancelled
        listed = await rig.say("announce list")
        assert "#1" in listed and "cancelled" in listed
        actions = [(e.action, e.result) for e in await store.audit_events(limit=20)]
        assert ("announce", "requested") in actions and ("announce", "ok") in actions
        assert ("announce.cancel", "ok") in actions
        # one message per person and platform: nothing more arrived
        assert len(rig.zulip.sent) == 2 and len(rig.smtp.received) == 1


async def test_a_platform_down_is_retried_and_a_refused_address_reported(
    make_bot: MakeBot,
) -> None:
    async with announcing(make_bot) as rig:
        await link_bob(rig)
        rig.zulip.fail("messages", 503, times=6)  # 3 attempts of 2 tries each
        rig.smtp.handler.refuse.add("dave@toolforge.org")
        await rig.announce(f"--tools sample-legacy {TEXT}")
        await rig.until(lambda: len(rig.zulip.sent) == 1, within=20)
        await rig.until(lambda: rig.dispatcher.sent == 2)
        rows = {d.destination: d for d in
                await rig.bot.services.store.announcement_deliveries(1)}  # fmt: skip
        assert rows[BOB_ZULIP].status == "sent" and rows[BOB_ZULIP].attempts == 4
        mail = rows["email:dave@toolforge.org"]
        assert (mail.status, mail.attempts) == ("failed", 1)
        assert "550" in mail.last_error and "rejected" in mail.last_error
        status = await rig.say("announce status 1")
        assert "[2 sent] [1 failed]" in status and "email failed (the mail server refused" in status


async def test_bad_input_gets_a_sentence_and_sends_nothing(make_bot: MakeBot) -> None:
    async with announcing(make_bot) as rig:
        cases = {
            "maintenance NFS": "the announcement's body is empty",
            "maintenance | body": "needs a title",
            f"--tools sample-legacy maintenance T | {'x' * 5000}": "at most 4000 please",
            "--tools sample-legacy maintenance " + "t" * 130 + " | b": "at most 120 please",
            "maintenance T | b": "that audience (no channel and no tools) is nobody",
            "--tools sample-web --image python2.7 maintenance T | b": "is nobody",
            "--to irc:#elsewhere maintenance T | b": "is not a configured announcement channel",
            "--tools no-such-tool maintenance T | b": "there is no tool named",
            "--all-tools --window 2026-12-05T12:00/10:00 maintenance T | b": "ends before",
            "--all-tools --link javascript:x maintenance T | b": "is not an http(s) URL",
            "urgent T | b": "must be one of info, maintenance, incident, deprecation",
        }
        for line, sentence in cases.items():
            assert sentence in await rig.say(f"announce {line}"), line
        status = await rig.say("announce status 99")
        assert "there is no announcement #99" in status
        stranger = ConsoleAdapter(rig.bot, "bob", stdin=io.StringIO(), stdout=io.StringIO(),
                                  colour=False)  # fmt: skip
        refused = await rig.say("announce --all-tools maintenance T | b", stranger)
        assert "only forgebot admins may use announce" in refused
        assert await rig.bot.services.store.announcements("all") == []


async def test_a_selector_the_api_cannot_answer_sends_nothing(
    make_bot: MakeBot, sandbox: Sandbox
) -> None:
    async with announcing(make_bot) as rig:
        sandbox.fail_next(status=500, count=50, path_prefix="/jobs/v1/tool/sample-oom/")
        said = await rig.say(f"announce --deprecated-images {TEXT}")
        assert "I cannot tell which tools have jobs on deprecated images: the jobs API did " \
               "not answer for sample-oom" in said and "nothing was sent" in said  # fmt: skip
        assert await rig.bot.services.store.announcements("all") == []


async def test_a_person_whose_direct_messages_all_fail_gets_mail_instead(
    make_bot: MakeBot,
) -> None:
    async with announcing(make_bot) as rig:
        await rig.bot.services.store.link_add(BOB_ZULIP, "bob", "root-sre")  # Zulip only
        rig.zulip.fail("messages", 400, code="BAD_REQUEST")  # Zulip will never take it
        await rig.announce(f"--tools sample-legacy {TEXT}")
        mails = await rig.smtp.wait_for(2)
        assert sorted(m.to[0] for m in mails) == ["bob@toolforge.org", "dave@toolforge.org"]
        await rig.until(lambda: rig.dispatcher.sent == 2)
        rows = {d.destination: d for d in
                await rig.bot.services.store.announcement_deliveries(1)}  # fmt: skip
        assert rows[BOB_ZULIP].status == "failed" and "Zulip refused it" in (
            rows[BOB_ZULIP].last_error)  # fmt: skip
        assert rows["email:bob@toolforge.org"].status == "sent"
        assert rig.zulip.sent == []
