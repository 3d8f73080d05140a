"""``forgebot run`` with the developer LDAP and self-service linking, on the real IRC network.

One process as deployed: an ``[ldap]`` table (and no directory file) pointing
at a real slapd with Toolforge-shaped data, ``[link]`` pointing at a real
OpenID Connect provider, ``[irc]`` at the test network. People talk to it
from real IRC connections logged in to services accounts.
"""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path

import pytest

from bot.cli import main
from bot.store import Store, sqlite_url
from tests.irc.conftest import ACCOUNTS, CHANNEL
from tests.irc.network import IrcNetwork
from tests.irc.peer import Line, Peer, privmsgs_from
from tests.ldap.conftest import running_slapd
from tests.ldap.seed import toolforge_data
from tests.ldap.server import PROXY_DN, PROXY_PASSWORD
from tests.oidc_provider import Browser, oidc_provider, url_in
from tests.test_run_command import forgebot_run, free_port, wait_healthy

pytestmark = pytest.mark.irc


async def ask(peer: Peer, text: str, expect: str, within: float = 30) -> Line:
    """Say ``text`` to the bot in private; the first line of its answer containing ``expect``."""
    since = peer.mark()
    await peer.say("forgebot", text)
    from_bot = privmsgs_from("forgebot", peer.nick)
    return await peer.expect(lambda ln: from_bot(ln) and expect in ln.text, within, since)


async def ask_status(peer: Peer) -> None:
    """``status sample-web`` is answered with its headline, not an error naming the tool."""
    await ask(peer, "status sample-web",
              "sample-web: web service [running] at https://sample-web.toolforge.org/")


async def test_forgebot_run_answers_from_ldap_and_people_link_themselves_by_logging_in(
    irc_network: IrcNetwork, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    http_port = free_port()
    with running_slapd(toolforge_data(tools=50, people=100)) as slapd, oidc_provider() as idp:
        config = tmp_path / "forgebot.toml"
        config.write_text(
            f"""
[ldap]
uris = ["{slapd.uri}"]
bind_dn = "{PROXY_DN}"
timeout = 2

[link]
discovery_url = "{idp.discovery_url}"
client_id = "forgebot"

[http]
port = {http_port}
public_url = "http://127.0.0.1:{http_port}"

[irc]
server = "{irc_network.host}"
port = {irc_network.port}
tls = false
channels = ["{CHANNEL}"]
flood_rate = 0
""",
            encoding="utf-8",
        )
        env = {
            **{k: v for k, v in os.environ.items() if "proxy" not in k.lower()},
            "FORGEBOT_CONFIG": str(config),
            "FORGEBOT_DATA_DIR": str(tmp_path / "data"),
            "FORGEBOT_IRC_PASSWORD": ACCOUNTS["forgebot"],
            "FORGEBOT_LDAP_BIND_PASSWORD": PROXY_PASSWORD,
            "FORGEBOT_OIDC_CLIENT_SECRET": "s3cret",
        }
        # An admin links alice on the host (the CLI, in a thread: no second Python start-up);
        # the account is checked in LDAP first.
        for name in ("FORGEBOT_CONFIG", "FORGEBOT_DATA_DIR", "FORGEBOT_LDAP_BIND_PASSWORD",
                     "FORGEBOT_IRC_PASSWORD"):  # fmt: skip
            monkeypatch.setenv(name, env[name])
        assert await asyncio.to_thread(main, ["link", "add", "irc:Alice-Libera", "alice"]) == 0

        proc = await forgebot_run(config, env)
        alice = await Peer.connect(
            irc_network.host, irc_network.port, "alice_", "alice-libera", ACCOUNTS["alice-libera"]
        )
        bob = await Peer.connect(
            irc_network.host, irc_network.port, "bobby", "bob-irc", ACCOUNTS["bob-irc"]
        )
        browser = Browser()
        try:
            await wait_healthy(f"http://127.0.0.1:{http_port}/healthz", proc)
            await alice.join(CHANNEL)
            # The bot may join before alice (then the channel's NAMES list shows it) or after.
            await alice.expect(
                lambda ln: (ln.command == "JOIN" and ln.nick == "forgebot")
                or (ln.command == "353" and "forgebot" in ln.text.replace("@", "").split()),
                within=30,
            )

            # status, whoami and the maintainer check, answered from slapd.
            await ask_status(alice)
            who = await ask(alice, "whoami", "Developer account")
            assert "alice" in who.text and "linked by a forgebot admin" in who.text
            await ask(alice, "whoami", "You maintain: sample-crashloop, sample-web, shared-tool.")
            await ask(alice, "restart sample-cron", "only maintainers of 'sample-cron'")
            await ask(alice, "restart sample-web", "confirm")

            # bob links himself, with no admin involved, and restarts his tool.
            await ask(bob, "restart sample-cron", "say link to me in a direct message")
            offer = await ask(bob, "link", "/link/")
            final = await browser.link(url_in(offer.text), "bob-sub")
            assert final.status_code == 200 and "linked to the developer account bob" in final.text
            note = await bob.expect(
                lambda ln: privmsgs_from("forgebot", "bobby")(ln) and "now linked" in ln.text,
                within=30,
            )
            assert "bob" in note.text
            asked = await ask(bob, "restart sample-legacy", "confirm")
            code_word = re.search(r"confirm (\w+)", asked.text)
            assert code_word, asked.text
            await ask(bob, f"confirm {code_word.group(1)}", "1 restarted")

            # LDAP goes away: a maintainer check it has not cached is not guessed.
            slapd.stop()
            down = await ask(alice, "restart sample-crashloop", "maintainers")
            assert "I cannot check maintainers right now" in down.text
            await ask_status(alice)  # public: answered without the directory
        finally:
            await browser.aclose()
            await alice.close()
            await bob.close()
            proc.terminate()
            await asyncio.wait_for(proc.wait(), 30)
        store = await Store.open(sqlite_url(tmp_path / "data"))
        try:
            done = {(e.actor_account, e.action, e.result) for e in await store.audit_events()}
        finally:
            await store.close()
        assert ("bob", "link.login", "ok") in done and ("bob", "restart", "ok") in done
        assert ("alice", "restart", "failed") in done  # the outage, audited as such
