"""Small parts of the IRC adapter: flood bucket, config, SASL payloads, account tracking."""

from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import Sequence
from pathlib import Path

import pytest

from adapters.irc.config import IrcConfig
from adapters.irc.flood import TokenBucket
from adapters.irc.identity import AccountTracker, _Cached, irc_lower
from adapters.irc.outbox import DeliveryFailed, Outbox
from adapters.irc.render import Outgoing
from adapters.irc.sasl import authenticate_lines, offers_mechanism, parse_caps
from bot.config import ConfigError
from tests.fakes.core import TestCore
from tests.support import PATIENCE, wait_until


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_a_burst_then_the_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(3, 0.5, clock)
    assert [bucket.try_take() for _ in range(4)] == [True, True, True, False]
    assert bucket.wait_time() == pytest.approx(2.0)
    clock.now = 2.0
    assert bucket.try_take() and not bucket.try_take()


def test_bucket_with_rate_zero_never_waits() -> None:
    bucket = TokenBucket(1, 0)
    assert all(bucket.try_take() for _ in range(1000))


async def test_bucket_take_waits_for_the_next_token() -> None:
    bucket = TokenBucket(1, 50.0)
    loop = asyncio.get_running_loop()
    start = loop.time()
    for _ in range(6):
        await bucket.take()
    assert 0.08 <= loop.time() - start < 0.5  # 5 waits of 20 ms


def test_config_from_toml_reads_the_password_from_the_environment() -> None:
    table = {"server": "irc.libera.chat", "channels": ["#wikimedia-cloud"], "flood_rate": 1}
    config = IrcConfig.from_toml(table, {"FORGEBOT_IRC_PASSWORD": "pw"})
    assert config.password == "pw" and config.flood_rate == 1.0
    assert "pw" not in repr(config)
    custom = IrcConfig.from_toml({"password_env": "X_PW"}, {"X_PW": "other"})
    assert custom.password == "other"


@pytest.mark.parametrize(
    ("table", "fragment"),
    [
        ({"password": "pw"}, "keep secrets out of the file; set the environment variable "
                             "FORGEBOT_IRC_PASSWORD"),
        ({"nick_name": "x"}, "unknown key"),
        ({"port": "6697"}, "expected an integer"),
        ({"channels": "wikimedia-cloud"}, "not a channel"),
        ({"overflow": "drop"}, "overflow"),
        ({"sasl_mechanism": "EXTERNAL", "tls_certfile": None}, "EXTERNAL needs"),
    ],
)
def test_config_errors_name_the_key(table: dict[str, object], fragment: str) -> None:
    table = {k: v for k, v in table.items() if v is not None}
    with pytest.raises(ConfigError, match=fragment):
        IrcConfig.from_toml(table, {"FORGEBOT_IRC_PASSWORD": "pw"})


def test_config_without_password_fails_for_plain_but_not_for_none() -> None:
    with pytest.raises(ConfigError, match="FORGEBOT_IRC_PASSWORD"):
        IrcConfig.from_toml({}, {})
    assert IrcConfig.from_toml({"sasl_mechanism": "NONE"}, {}).password == ""


def test_sasl_plain_payload_and_chunking() -> None:
    [line] = authenticate_lines("PLAIN", "forgebot", "pw")
    assert base64.b64decode(line.split()[1]) == b"forgebot\0forgebot\0pw"
    long = authenticate_lines("PLAIN", "a", "p" * 600)
    assert all(len(x.split()[1]) <= 400 for x in long) and len(long) == 3
    exact = authenticate_lines("PLAIN", "ab", "c" * 294)  # 300 bytes -> 400 base64 chars
    assert exact[-1] == "AUTHENTICATE +"
    assert authenticate_lines("EXTERNAL", "x", "") == ["AUTHENTICATE +"]


def test_cap_parsing_and_mechanisms() -> None:
    caps = parse_caps("account-tag sasl=PLAIN,EXTERNAL server-time")
    assert caps["sasl"] == "PLAIN,EXTERNAL" and "account-tag" in caps
    assert offers_mechanism(caps, "EXTERNAL") and not offers_mechanism(caps, "SCRAM")
    assert offers_mechanism({"sasl": ""}, "PLAIN") and not offers_mechanism({}, "PLAIN")


def test_tracker_follows_joins_account_changes_and_nick_changes() -> None:
    t = AccountTracker()
    t.joined("Alice", "#c", "alice-libera", known=True)
    assert t.live("alice") == (True, "alice-libera")
    t.renamed("Alice", "alice_")
    assert t.live("alice") == (False, None) and t.live("alice_") == (True, "alice-libera")
    t.account_changed("alice_", None)  # NickServ LOGOUT
    assert t.live("alice_") == (True, None)
    t.joined("mallory", "#c", None, known=True)
    t.renamed("mallory", "Alice")  # takes the maintainer's old nick
    assert t.live("alice") == (True, None)


def test_tracker_forgets_on_quit_netsplit_and_last_part() -> None:
    t = AccountTracker()
    t.joined("bob", "#a", "bob-irc", known=True)
    t.joined("bob", "#b", "bob-irc", known=True)
    t.left("bob", "#a")
    assert t.live("bob") == (True, "bob-irc")
    t.left("bob", "#b")
    assert t.live("bob") == (False, None)
    t.joined("carol", "#a", "carol-irc", known=True)
    t.quit("carol")  # "*.net *.split" is just a QUIT reason
    assert t.live("carol") == (False, None)
    t.joined("dave", "#a", "dave-irc", known=True)
    t.channel_lost("#A")
    assert t.live("dave") == (False, None)


async def test_whois_is_cached_and_checked_against_user_and_host() -> None:
    clock = FakeClock()
    t = AccountTracker(whois_ttl=30, clock=clock)
    t.joined("alice", "#c", None, known=False)  # in a channel with us: her QUIT reaches us
    sent: list[str] = []

    async def answer() -> None:
        await asyncio.sleep(0)
        t.whois_user("alice", "al", "host.example")
        t.whois_account("alice", "alice-libera")
        t.whois_end("alice")

    task = asyncio.create_task(answer())
    assert await t.whois("alice", "al", "host.example", sent.append) == "alice-libera"
    await task
    assert sent == ["WHOIS alice"]
    # Same nick, another user@host (someone took the nick): not believed.
    assert await t.whois("alice", "mal", "evil.example", sent.append) is None
    assert sent == ["WHOIS alice"]  # answered from the cache
    clock.now = 31
    t.whois_timeout = 0.05
    assert await t.whois("alice", "al", "host.example", sent.append) is None  # no answer
    assert sent[-1] == "WHOIS alice" and len(sent) == 2


async def test_whois_of_someone_we_cannot_follow_is_never_reused() -> None:
    """Without a shared channel no QUIT tells us they left: a cached account would outlive
    them, and the nick's next holder (same user@host) would inherit it."""
    t = AccountTracker(whois_ttl=30, clock=FakeClock())
    sent: list[str] = []

    async def answer(account: str | None) -> None:
        await asyncio.sleep(0)
        t.whois_user("gina", "g", "shared.example")
        if account:
            t.whois_account("gina", account)
        t.whois_end("gina")

    task = asyncio.create_task(answer("gina-libera"))
    assert await t.whois("gina", "g", "shared.example", sent.append) == "gina-libera"
    await task
    task = asyncio.create_task(answer(None))  # gina left; someone else took the nick
    assert await t.whois("gina", "g", "shared.example", sent.append) is None
    await task
    assert sent == ["WHOIS gina", "WHOIS gina"]


def test_a_cached_whois_goes_with_quit_nick_and_account_changes() -> None:
    t = AccountTracker(whois_ttl=30, clock=FakeClock())
    for change in (
        lambda: t.quit("hal"),
        lambda: t.renamed("hal", "hal_"),
        lambda: t.account_changed("hal", None),
    ):
        t.joined("hal", "#c", None, known=False)
        t._cache["hal"] = _Cached("hal-libera", "h", "h.example", 1e9)
        change()
        assert "hal" not in t._cache


def test_rfc1459_case_folding() -> None:
    assert irc_lower("Nick[a]\\~") == "nick{a}|^"


async def test_outbox_round_robin_expiry_and_rename(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    box = Outbox(TokenBucket(1, 0), max_age=10, clock=clock)
    box.put([Outgoing("alice", f"p{i}") for i in range(3)], "logs for alice")
    box.put([Outgoing("#c", "c0")], "status in #c")
    box.rename("alice", "alice_")
    written: list[str] = []
    run = asyncio.create_task(box.run(written.extend))
    await wait_until(lambda: len(written) >= 4, "four lines")
    assert written == ["PRIVMSG alice_ :p0", "PRIVMSG #c :c0", "PRIVMSG alice_ :p1",
                       "PRIVMSG alice_ :p2"]  # fmt: skip
    tracked = box.put([Outgoing("#c", "late")], "an announcement", track=True)
    assert tracked.done is not None
    await asyncio.wait_for(tracked.done, PATIENCE)
    run.cancel()
    lost = box.put([Outgoing("#c", "never")], "restart in #c", track=True)
    clock.now = 11
    box.expire()
    assert lost.done is not None
    with pytest.raises(DeliveryFailed):
        await lost.done
    assert "restart in #c" in caplog.text and "undelivered" in caplog.text


def test_forgebot_run_builds_the_adapter_from_the_irc_table(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from adapters import config_models, configured_adapters
    from adapters.irc import IrcAdapter
    from bot.config import parse_config

    class Core(TestCore):
        async def handle(self, message: object) -> None:
            return None

    monkeypatch.setenv("FORGEBOT_IRC_PASSWORD", "from-env")
    table = {"enabled": True, "server": "irc.libera.chat", "channels": ["#wikimedia-cloud"]}
    config = parse_config({"irc": table}, os.environ, config_models(), base=Path.cwd())
    [adapter] = configured_adapters(config, Core())  # type: ignore[arg-type]
    assert isinstance(adapter, IrcAdapter)
    assert adapter.config.password == "from-env" and adapter.config.port == 6697


async def test_the_lines_of_a_reply_leave_in_one_write_as_tokens_allow() -> None:
    writes: list[list[str]] = []
    unlimited = Outbox(TokenBucket(1, 0))
    run = asyncio.create_task(unlimited.run(lambda lines: writes.append(list(lines))))
    unlimited.put([Outgoing("#c", f"line {i}") for i in range(5)], "help in #c")
    await wait_until(lambda: sum(map(len, writes)) == 5, "five lines")
    assert writes == [[f"PRIVMSG #c :line {i}" for i in range(5)]]
    run.cancel()
    writes.clear()
    # A burst of 2, then one line per 20 ms: the first write holds only what the bucket had.
    paced = Outbox(TokenBucket(2, 50.0))
    paced.put([Outgoing("#c", f"line {i}") for i in range(4)], "help in #c")
    run = asyncio.create_task(paced.run(lambda lines: writes.append(list(lines))))
    await wait_until(lambda: sum(map(len, writes)) == 4, "four lines")
    run.cancel()
    assert [len(w) for w in writes][:1] == [2] and max(len(w) for w in writes[1:]) == 1


async def test_an_unsafe_line_in_a_burst_fails_alone(caplog: pytest.LogCaptureFixture) -> None:
    from adapters.irc.lines import check_wire

    written: list[str] = []

    def write(lines: Sequence[str]) -> None:
        written.extend([check_wire(line) for line in lines])  # all or nothing, as the session

    box = Outbox(TokenBucket(1, 0))
    run = asyncio.create_task(box.run(write))
    batch = box.put([Outgoing("#c", "one"), Outgoing("#c", "t\nwo"), Outgoing("#c", "three")],
                    "status in #c", track=True)  # fmt: skip
    assert batch.done is not None
    with pytest.raises(DeliveryFailed):
        await asyncio.wait_for(batch.done, PATIENCE)
    await wait_until(lambda: len(written) == 2, "two lines")
    run.cancel()
    assert written == ["PRIVMSG #c :one", "PRIVMSG #c :three"]
    assert "CR/LF" in caplog.text


def test_chatter_is_recognised_on_the_raw_line_and_nothing_else_is() -> None:
    from adapters.irc.chatter import is_chatter

    def may(text: str) -> bool:
        return TestCore().may_address(text)

    tags = "@time=2026-11-25T00:00:00.000Z;account=bob "
    chatter = [
        ":bob!b@h PRIVMSG #c :just talking",
        tags + ":bob!b@h PRIVMSG #c :about forgebot, later",
        ":bob!b@h PRIVMSG &local :hello",
    ]
    for line in chatter:
        assert is_chatter(line, "forgebot", may), line
    full_path = [
        ":bob!b@h PRIVMSG #c :!tf status",
        ":bob!b@h PRIVMSG #c :\t!tf status",  # command_line strips tabs too
        ":bob!b@h PRIVMSG #c :  @forgebot: status",
        ":bob!b@h PRIVMSG #c :Forgebot_: status",  # the nick in use, not the configured name
        ":bob!b@h PRIVMSG #c :FORGEBOT, status",
        ":forgebot_!f@h PRIVMSG #c :an echo of our own line",
        ":bob!b@h PRIVMSG forgebot_ :a private message",
        ":bob!b@h PRIVMSG #c :\x01ACTION waves\x01",
        ":bob!b@h PRIVMSG #c :quoted \x10 text",
        ":bob!b@h NOTICE #c :a notice",
        ":irc.test PRIVMSG #c :from a server",
        ":bob!b@h PRIVMSG #c single-word",
        ":bob!b@h  PRIVMSG #c :two spaces",
        "PRIVMSG #c :no source",
        "@tags-only",
        ":bob!b@h JOIN #c",
        "PING :irc.test",
    ]
    for line in full_path:
        assert not is_chatter(line, "forgebot_", may), line
    # rfc1459 folds [ ] \ ~ into { } | ^: a nick starting with one is still ours
    for line in (":{x}!u@h PRIVMSG #c :our own line, echoed", ":bob!b@h PRIVMSG #c : {X}: status"):
        assert not is_chatter(line, "[x]", may), line
    assert is_chatter(":{y}!u@h PRIVMSG #c :someone else, not [x]", "[x]", may)
