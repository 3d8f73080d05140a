"""announce on the real IRC network: an admin announces from a private message, the
channel gets the post, a maintainer logged in with a linked services account gets one
direct message listing their tool, the one with no chat link gets mail; ack and status."""

from __future__ import annotations

import asyncio
import contextlib
import re
from pathlib import Path

import pytest

from bot.announce.running import dispatcher_for
from bot.app import SANDBOX_DATA, open_bot
from bot.config import AnnounceSettings
from bot.store import Store
from bot.toolforge.sandbox import Sandbox
from tests.announce_rig import FAST
from tests.fakes.smtp_server import SmtpServer
from tests.irc.conftest import ACCOUNTS, CHANNEL, bot_config, running
from tests.irc.network import IrcNetwork
from tests.irc.peer import Line, Peer
from tests.irc.test_scenarios import command
from tests.support import PATIENCE, sandbox_config, sandbox_sleep

pytestmark = pytest.mark.irc


def from_bot(target: str, words: str) -> object:
    def match(line: Line) -> bool:
        return (line.command == "PRIVMSG" and line.nick == "forgebot"
                and line.params[0] == target and words in line.text)  # fmt: skip

    return match


async def test_an_admin_announces_from_irc_to_the_channel_a_maintainer_and_by_mail(
    irc_network: IrcNetwork, tmp_path: Path
) -> None:
    box = Sandbox(SANDBOX_DATA)
    await box.start()
    irc = bot_config(irc_network)
    host, port = irc_network.host, irc_network.port
    try:
        with SmtpServer() as smtp:
            announce = AnnounceSettings(channels=(f"irc:{CHANNEL}",), smtp_host=smtp.host,
                                        smtp_port=smtp.port, **FAST)  # type: ignore[arg-type]
            config = sandbox_config(box.base_url, tmp_path, adapters={"irc": irc},
                                    announce=announce)  # fmt: skip
            async with contextlib.AsyncExitStack() as stack:
                bot = await stack.enter_async_context(open_bot(config))
                bot.services.sleep = sandbox_sleep(box)
                store = bot.services.store
                await store.link_add("irc:bob-irc", "root-sre", "test")  # the admin
                await store.link_add("irc:alice-libera", "bob", "test")  # maintains sample-legacy
                sre, bob = await asyncio.gather(
                    Peer.connect(host, port, "sre", "bob-irc", ACCOUNTS["bob-irc"]),
                    Peer.connect(host, port, "bobby", "alice-libera", ACCOUNTS["alice-libera"]),
                )
                await asyncio.gather(sre.join(CHANNEL), bob.join(CHANNEL))
                # in the channel before the bot: only WHO tells it bobby's account
                adapter = await stack.enter_async_context(running(irc, bot))
                bot.attach(adapter)
                dispatcher = dispatcher_for(bot)
                task = asyncio.create_task(dispatcher.run())
                try:
                    since = bob.mark()
                    asked = await command(
                        sre, f"announce --to irc:{CHANNEL} --deprecated-images --window "
                        "2026-12-05T10:00/12:00 maintenance NFS restart | The NFS servers "
                        "restart.", target="sre", expect="confirm",
                    )  # fmt: skip
                    code = re.search(r"confirm (\d{4})", asked.text)
                    assert code is not None, asked.text
                    preview = "\n".join(ln.text for ln in sre.lines if ln.nick == "forgebot")
                    assert "reachable: email 1, IRC 1, unreachable 0; 1 channel" in preview
                    await command(sre, f"confirm {code.group(1)}", target="sre",
                                  expect="is queued")  # fmt: skip

                    post = await bob.expect(from_bot(CHANNEL, "NFS restart"), since=since)
                    assert "(announcement #1)" in post.text
                    dm = await bob.expect(from_bot("bobby", "maintainer of sample-legacy"),
                                          since=since)  # fmt: skip
                    assert "ack 1" in dm.text
                    [mail] = await smtp.wait_for(1)
                    assert mail.to == ["dave@toolforge.org"]

                    done = await command(bob, "ack 1", target="bobby", expect="Thank you")
                    assert "#1 NFS restart is acknowledged" in done.text
                    # A line received is not yet a delivery recorded: the dispatcher marks
                    # it sent after the server echoes it back.
                    await _until_all_sent(store, 1)
                    status = await command(sre, "announce status 1", target="sre",
                                           expect="deliveries")  # fmt: skip
                    assert "3 deliveries: [3 sent]" in status.text
                    assert "reached 2 of 2 people, 1 acknowledged" in status.text
                    # one DM per person and platform: nothing more came before a sentinel
                    lines = await bob.before_answer(
                        bob, "forgebot", "whoami", from_bot("bobby", "On irc you are"), since
                    )  # fmt: skip
                    dms = [ln for ln in lines if from_bot("bobby", "(announcement #1)")(ln)]
                    assert len(dms) == 1
                finally:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
                    await asyncio.gather(sre.close(), bob.close())
    finally:
        await box.stop()


async def _until_all_sent(store: Store, announcement_id: int) -> None:
    deadline = asyncio.get_running_loop().time() + PATIENCE
    while any(d.status != "sent" for d in await store.announcement_deliveries(announcement_id)):
        assert asyncio.get_running_loop().time() < deadline, "deliveries still not all sent"
        await asyncio.sleep(0.05)
