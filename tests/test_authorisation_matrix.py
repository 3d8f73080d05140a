"""Who may run what: every command and sub-command x five kinds of speaker x four platforms.

The expected verdicts are written out below, one row per command path. The
test walks the real registry, so a command added without a row fails here
until someone decides who may run it. Each cell goes through the real core
(:meth:`bot.core.Bot.handle`: identity, policy, load/check, confirmation,
audit) with a :class:`~bot.message.Message` whose sender is what that
platform's adapter produces for that kind of person:

- console: the operator's chosen account (always verified, never linked);
- IRC: the services account, linked to a developer account by a login or an
  admin; a Libera account merely *named* like a developer is "unlinked"; a
  nick that is not logged in has no account at all;
- Zulip: the sender id and the email Zulip verified (matched in the directory);
- Slack: ``T…:U…`` of the bot's workspace, with the email only for its own
  workspace; "unlinked" is another workspace's user (the adapter drops the
  email it claims, which is alice's).

Zulip, Slack and the console never produce an unverified sender; their
``unidentified`` column feeds the core one all the same, since the core
must refuse it whatever the platform. Adapters' own identity rules are
pinned in tests/test_identity_rules.py and the adapters' tests.

The rule pinned for admins: a forgebot admin who does not maintain a tool
may NOT restart it, read its logs or carry out its migration (bot/policy.py
grants nothing to admins on tools; design.md: "only maintainers of a tool
may restart it, read its logs or change it; SREs/admins may announce").
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.app import http_front
from bot.commands import Command, Permission, walk
from bot.config import DirectorySettings, GitLabSettings, LimitsSettings
from bot.core import Bot
from bot.message import ChatIdentity, Message
from bot.reply import plain_text
from bot.toolforge.sandbox import Sandbox
from commands import all_commands
from tests.conftest import MakeBot
from tests.oidc_provider import oidc_provider

TOOL = "sample-crashloop"  # maintained by alice alone; root-sre maintains nothing
ROLES = "MOSUN"
ROLE_NAMES = {
    "M": "maintainer of the tool",
    "O": "other linked developer",
    "S": "forgebot admin, not a maintainer of the tool",
    "U": "unlinked (verified by the platform, no developer account)",
    "N": "unidentified (not verified by the platform)",
}
PLATFORMS = ("console", "irc", "zulip", "slack")

# + allowed (the command's own answer), - refused (the policy's sentence, nothing done).
# confirm: each speaker uses the code the maintainer was just given.
# On the console, U is an account name the directory does not know: the console's
# operator acts as whichever account they name (they run the bot), so it behaves as O.
TABLE = """
                 console  irc    zulip  slack
                 MOSUN    MOSUN  MOSUN  MOSUN
help             +++++    +++++  +++++  +++++
status           +++++    +++++  +++++  +++++
diagnose         +++++    +++++  +++++  +++++
maintainers      +++++    +++++  +++++  +++++
products         +++++    +++++  +++++  +++++
whoami           +++++    +++++  +++++  +++++
news             +++++    +++++  +++++  +++++
more             +++++    +++++  +++++  +++++
stop             +++++    +++++  +++++  +++++
ack              ++++-    +++--  +++--  +++--
restart          +----    +----  +----  +----
logs             +----    +----  +----  +----
confirm          +----    +----  +----  +----
link             ++++-    ++++-  ++++-  ++++-
link add         --+--    --+--  --+--  --+--
link remove      --+--    --+--  --+--  --+--
unlink           ++++-    ++++-  ++++-  ++++-
migrate          ++++-    ++++-  ++++-  ++++-
migrate repo     ++++-    ++++-  ++++-  ++++-
migrate grid     ++++-    ++++-  ++++-  ++++-
migrate plan     ++++-    ++++-  ++++-  ++++-
migrate status   ++++-    ++++-  ++++-  ++++-
migrate back     ++++-    ++++-  ++++-  ++++-
migrate cancel   ++++-    ++++-  ++++-  ++++-
migrate go       +----    +----  +----  +----
migrate skip     +----    +----  +----  +----
migrate undo     +----    +----  +----  +----
announce         --+--    --+--  --+--  --+--
announce status  --+--    --+--  --+--  --+--
announce cancel  --+--    --+--  --+--  --+--
announce list    --+--    --+--  --+--  --+--
build            +++++    +++++  +++++  +++++
build status     +++++    +++++  +++++  +++++
build list       +++++    +++++  +++++  +++++
build logs       +----    +----  +----  +----
build start      +----    +----  +----  +----
build cancel     +----    +----  +----  +----
quota            +++++    +++++  +++++  +++++
images           +++++    +++++  +++++  +++++
envvars          +----    +----  +----  +----
envvars set      +----    +----  +----  +----
envvars delete   +----    +----  +----  +----
"""


def expected_verdicts() -> dict[tuple[str, str, str], bool]:
    """(command path, platform, role) -> allowed, read from :data:`TABLE`."""
    lines = [ln for ln in TABLE.strip("\n").splitlines() if ln.strip()]
    assert lines[0].split() == list(PLATFORMS) and lines[1].split() == [ROLES] * 4
    verdicts: dict[tuple[str, str, str], bool] = {}
    for line in lines[2:]:
        *words, c, i, z, s = line.split()
        for platform, cells in zip(PLATFORMS, (c, i, z, s), strict=True):
            assert len(cells) == len(ROLES) and set(cells) <= {"+", "-"}, line
            for role, cell in zip(ROLES, cells, strict=True):
                verdicts[(" ".join(words), platform, role)] = cell == "+"
    return verdicts


VERDICTS = expected_verdicts()


@dataclass(frozen=True)
class Speaker:
    identity: ChatIdentity
    account: str | None  # the developer account the bot should see
    link: tuple[str, str] | None = None  # (account, method) stored for this identity


def _speakers() -> dict[tuple[str, str], Speaker]:
    def on(platform: str) -> Callable[..., ChatIdentity]:
        return functools.partial(ChatIdentity, platform)

    c, i, z, s = (on(p) for p in PLATFORMS)
    return {
        ("console", "M"): Speaker(c("alice", "alice"), "alice"),
        ("console", "O"): Speaker(c("bob", "bob"), "bob"),
        ("console", "S"): Speaker(c("root-sre", "root-sre"), "root-sre"),
        ("console", "U"): Speaker(c("nobody-known", "nobody-known"), "nobody-known"),
        ("console", "N"): Speaker(c(None, "console-guest"), None),
        ("irc", "M"): Speaker(i("alice-libera", "alice"), "alice", ("alice", "login")),
        ("irc", "O"): Speaker(i("bob-irc", "bob"), "bob", ("bob", "login")),
        ("irc", "S"): Speaker(i("sre-libera", "sre"), "root-sre", ("root-sre", "admin")),
        ("irc", "U"): Speaker(i("alice", "alice"), None),  # a Libera account named alice
        ("irc", "N"): Speaker(i(None, "alice"), None),  # the nick alice, not logged in
        ("zulip", "M"): Speaker(z("11", "Alice", "alice@example.org"), "alice"),
        ("zulip", "O"): Speaker(z("12", "Bob", "bob@example.org"), "bob"),
        ("zulip", "S"): Speaker(z("13", "Root", "root-sre@example.org"), "root-sre"),
        ("zulip", "U"): Speaker(z("15", "Eve", "eve@example.net"), None),
        ("zulip", "N"): Speaker(z(None, "Eve"), None),
        ("slack", "M"): Speaker(s("T0HOME:U0ALICE", "alice"), "alice", ("alice", "login")),
        ("slack", "O"): Speaker(s("T0HOME:U0BOB", "bob", "bob@example.org"), "bob"),
        ("slack", "S"): Speaker(s("T0HOME:U0SRE", "root"), "root-sre", ("root-sre", "admin")),
        ("slack", "U"): Speaker(s("T0OTHER:U0ALICE", "alice"), None),
        ("slack", "N"): Speaker(s(None, "alice"), None),
    }


SPEAKERS = _speakers()

# What each command is asked, and what its own answer looks like when it is allowed.
LINES = {
    "help": "help",
    "status": f"status {TOOL}",
    "diagnose": f"diagnose {TOOL}",
    "maintainers": f"maintainers {TOOL}",
    "products": "products code",
    "whoami": "whoami",
    "news": "news",
    "more": "more",
    "stop": "stop",
    "ack": "ack 9999",
    "restart": f"restart {TOOL}",
    "logs": f"logs {TOOL}",
    "confirm": "confirm {code}",
    "link": "link",
    "link add": "link add zulip:999 dave",
    "link remove": "link remove zulip:998",
    "unlink": "unlink",
    "migrate": f"migrate {TOOL}",
    "migrate repo": f"migrate repo toolforge-repos/{TOOL}",
    "migrate grid": "migrate grid jsub -once python3 x.py",
    "migrate plan": "migrate plan",
    "migrate status": "migrate status",
    "migrate back": "migrate back",
    "migrate cancel": "migrate cancel",
    "migrate go": "migrate go",
    "migrate skip": "migrate skip",
    "migrate undo": "migrate undo",
    "announce": f"announce --tools {TOOL} maintenance NFS | restart at 10:00",
    "announce status": "announce status 9999",
    "announce cancel": "announce cancel 9999",
    "announce list": "announce list",
    "build": "build",
    "build status": f"build status {TOOL}",
    "build list": f"build list {TOOL}",
    "build logs": f"build logs {TOOL}",
    "build start": f"build start {TOOL}",
    "build cancel": f"build cancel {TOOL}",
    "quota": f"quota {TOOL}",
    "images": f"images {TOOL}",
    "envvars": f"envvars {TOOL}",
    "envvars set": f"envvars set {TOOL} MATRIX_TEST a value",
    "envvars delete": f"envvars delete {TOOL} MATRIX_TEST",
}
# KEY and PLATFORM stand for the speaker's chat key and platform.
ANSWERS = {
    "help": r"^Commands \(type help <command> for details\):\n",
    "status": rf"^{TOOL}: .*\njob \| kind \| image \| state",
    "diagnose": rf"^Diagnosis of {TOOL}: 1 problem\n",
    "maintainers": rf"^{TOOL} is maintained by alice \(developer accounts\)\.",
    "products": r"^What do you want to build\?\n",
    "whoami": r"^(On PLATFORM you are KEY |You are \S+ on PLATFORM, not identified)",
    "news": r"No current incidents and no maintenance planned on Toolforge\.",
    "ack": r"^There is no announcement #9999; ",
    "more": r"^There is nothing more: no long answer of yours is waiting",
    "stop": r"^You are not following any log\.$",
    "restart": rf"^This will restart every continuous job \(web service included\) of {TOOL}: "
    r"irc-bot\.\nTo go ahead, reply confirm \d{4} within 2 minutes\.$",
    "logs": rf"^Last \d+ log lines of {TOOL}/irc-bot:\n",
    "confirm": rf"^Restart of {TOOL}: 1 restarted",
    "link": r"^(self-service linking is not set up on this forgebot; ask a forgebot admin to "
    r"link KEY to your developer account|on the console you already act as its operator; "
    r"nothing to link)$",
    "link add": r"^Linked zulip:999 to the developer account dave\.$",
    "link remove": r"^Removed the link of zulip:998 \(it was carol\)\.$",
    "unlink": r"^(Your identity KEY is no longer linked to [\w-]+\.|KEY is not linked to a "
    r"developer account( \(your account comes from your verified email\))?)$",
    "migrate": r"\nWhere is the code\? Reply migrate repo <git URL> ",
    "migrate repo": rf"^Migration of {TOOL} to the build service image ",
    "migrate grid": rf"^Migration of {TOOL} to the build service image ",
    "migrate plan": rf"^Migration plan for {TOOL} ",
    "migrate status": rf"^Migrating {TOOL}: now at 'repo'",
    "migrate back": rf"^Migrating {TOOL}: now at 'repo'",
    "migrate cancel": rf"^The migration of {TOOL} is cancelled; nothing else changes\.$",
    # a maintainer gets past the policy to the command's own check of the conversation
    "migrate go": r"^tell me where the code is first: migrate repo <git URL>$",
    "migrate skip": r"^there is no step to skip while at 'repo'$",
    "migrate undo": rf"^there is nothing to undo: this migration has not changed any job of {TOOL}",
    "announce": r"^This will send the maintenance announcement “NFS” to 1 maintainer of 1 tool\.\n"
    r"Preview: 1 tool, 1 maintainer; ",
    "announce status": r"^there is no announcement #9999 ",
    "announce cancel": r"^there is no announcement #9999 ",
    "announce list": r"^No announcements yet\.$",
    "build": r"^build has sub-commands status, list, logs, start, cancel: say which",
    "build status": rf"^{TOOL} build \w{{5}}: build ok\n",
    "build list": rf"^Builds of {TOOL}, newest first:\nbuild \| state \| started \| took \| ref\n",
    "build logs": rf"^Last \d+ of \d+ log lines of build \w{{5}} of {TOOL} \(ok\):\n",
    "build start": rf"^This will start a build of {TOOL} from https://\S+ at \S+\.\n"
    r"To go ahead, reply confirm \d{4} within 2 minutes\.$",
    # a maintainer gets past the policy to the command's own check of the builds
    "build cancel": rf"^no build of {TOOL} is pending or running; there is nothing to cancel$",
    "quota": rf"^Quota of {TOOL}:\ncategory \| item \| used \| limit\n",
    "images": rf"^Images for jobs of {TOOL}:\nimage \| kind \| state \| used by\n",
    "envvars": rf"^{TOOL} has (\d+ envvars \(names only; values are never shown\)|no envvars)",
    "envvars set": rf"^This will set the envvar MATRIX_TEST of {TOOL} to the value you sent\.\n",
    "envvars delete": rf"^{TOOL} has no envvar MATRIX_TEST; nothing to delete$",
}

_HOW = {
    "irc": "identify to NickServ (/msg NickServ IDENTIFY <account> <password>, or SASL) "
    "and try again",
    "zulip": "message me from your own Zulip account",
    "slack": "message me from your own Slack account",
    "console": "identify yourself to the chat service",
}


def refusal(command: Command, speaker: Speaker, code: str) -> str:
    """The exact sentence the bot refuses ``command`` to ``speaker`` with."""
    who = speaker.identity
    if command.path == "confirm":
        return (
            f"there is no pending action with code '{code}' for you; "
            "codes work once, only for whoever asked, and expire"
        )
    if not who.verified:
        return (
            f"only {command.permission.value} may use {command.path}: I can't tell who you "
            f"are: {who.display} is not logged in to an account; {_HOW[who.platform]}"
        )
    if speaker.account is None:
        return (
            f"only {command.permission.value} may use {command.path}: your {who.platform} "
            "account is not linked to a Wikimedia developer account; ask a forgebot admin "
            f"to link {who.key()} to your developer account"
        )
    if command.permission is Permission.ADMIN:
        return f"only forgebot admins may use {command.path}"
    assert command.permission is Permission.MAINTAINER, command.path
    return (
        f"only maintainers of '{TOOL}' may {command.what_it_does()}; "
        f"you are signed in as {speaker.account}, who is not one of them"
    )


class Cell:
    """One speaker on one platform talking to one bot."""

    def __init__(self, bot: Bot, platform: str, role: str) -> None:
        self.bot, self.platform, self.role = bot, platform, role
        self.speaker = SPEAKERS[(platform, role)]

    async def say(self, line: str, speaker: Speaker | None = None) -> tuple[str, bool]:
        who = (speaker or self.speaker).identity
        reply = await self.bot.handle(Message(self.platform, who, line, direct=True))
        assert reply is not None, line
        return plain_text(reply), reply.is_error

    async def arrange(self) -> None:
        """The same starting point for every cell: links as declared, no conversation."""
        store = self.bot.services.store
        for speaker in (self.speaker, SPEAKERS[(self.platform, "M")]):
            key = speaker.identity.key()
            if speaker.link is not None:
                await store.link_remove(key)
                account, method = speaker.link
                await store.link_add(key, account, created_by="matrix", method=method)
        if await store.link_get("zulip:998") is None:
            await store.link_add("zulip:998", "carol", created_by="matrix")
        await store.link_remove("zulip:999")
        if self.speaker.identity.verified:
            await self.say("migrate cancel")


@pytest.fixture
async def matrix_bot(make_bot: MakeBot, sandbox: Sandbox) -> Bot:
    assert sandbox.gitlab is not None
    many = "10000/minute"
    return await make_bot(
        gitlab=GitLabSettings(url=sandbox.gitlab.url, token="maintainer-token"),
        limits=LimitsSettings(
            commands=many,
            unidentified_commands=many,
            unidentified_total=many,
            wrong_codes="10000 per 10 minutes",
        ),
    )


def test_the_table_has_one_row_per_declared_command() -> None:
    declared = {c.path for c in walk(all_commands())}
    rows = {path for path, _, _ in VERDICTS}
    assert declared - rows == set(), "commands without a row in TABLE: decide who may run them"
    assert rows - declared == set(), "rows in TABLE for commands that do not exist"
    assert set(LINES) == set(ANSWERS) == declared


async def _newest_audit_id(bot: Bot) -> int:
    newest = await bot.services.store.audit_events(limit=1)
    return newest[0].id if newest else 0


def answer_pattern(path: str, speaker: Speaker) -> str:
    who = speaker.identity
    return ANSWERS[path].replace("PLATFORM", who.platform).replace("KEY", re.escape(who.key()))


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_every_command_for_every_kind_of_speaker(
    matrix_bot: Bot, sandbox: Sandbox, platform: str
) -> None:
    bot, store = matrix_bot, matrix_bot.services.store
    commands = walk(bot.registry)
    missing = [c.path for c in commands if (c.path, platform, "M") not in VERDICTS]
    assert not missing, f"no row in TABLE for {missing}: decide who may run them"
    checked = 0
    for command in commands:
        for role in ROLES:
            cell = Cell(bot, platform, role)
            await cell.arrange()
            code = "0000"
            if command.path == "confirm":
                asked, _ = await cell.say(f"restart {TOOL}", SPEAKERS[(platform, "M")])
                found = re.search(r"confirm (\d{4})", asked)
                assert found, asked
                code = found.group(1)
            elif command.path.startswith("migrate ") and cell.speaker.identity.verified:
                await cell.say(f"migrate {TOOL}")
            restarts = sandbox.restart_count(TOOL, "irc-bot")
            newest = await _newest_audit_id(bot)
            text, is_error = await cell.say(LINES[command.path].format(code=code))
            if os.environ.get("FORGEBOT_MATRIX_DUMP"):  # to write a new row's patterns
                print(f"[{platform} {role}] {command.path}: {text[:300]!r}")
                continue
            where = f"{command.path} by a {ROLE_NAMES[role]} on {platform}"
            events = [e for e in await store.audit_events(limit=5) if e.id > newest]
            if VERDICTS[(command.path, platform, role)]:
                assert re.search(answer_pattern(command.path, cell.speaker), text), (
                    f"{where} should be allowed; it got: {text}"
                )
                if command.path == "confirm":  # the maintainer's own code runs, once
                    assert sandbox.restart_count(TOOL, "irc-bot") == restarts + 1
            else:
                assert (text, is_error) == (refusal(command, cell.speaker, code), True), (
                    f"{where} should be refused; it got: {text}"
                )
                assert sandbox.restart_count(TOOL, "irc-bot") == restarts, where
                if isinstance(command.audit_action, str) and command.path != "confirm":
                    assert len(events) == 1, f"{where}: not one audit row but {events}"
                    refused = events[0]
                    assert (refused.action, refused.result, refused.actor_account) == (
                        command.audit_action, "refused", cell.speaker.account,
                    ), where  # fmt: skip
            checked += 1
    if os.environ.get("FORGEBOT_MATRIX_DUMP"):
        # the answers are printed above (pytest shows them with a failure); none was checked
        pytest.fail("FORGEBOT_MATRIX_DUMP is set: the answers were printed, not checked")
    assert checked == len(commands) * len(ROLES)


# -- the refusals' other words -------------------------------------------------------


async def test_where_linking_is_served_an_unlinked_person_is_told_to_link_themselves(
    make_bot: MakeBot,
) -> None:
    with oidc_provider() as provider:
        bot = await make_bot(link=provider.settings())
        async with http_front(bot, []):
            speaker = SPEAKERS[("irc", "U")]
            reply = await bot.handle(
                Message("irc", speaker.identity, "logs sample-crashloop", direct=True)
            )
    assert reply is not None and reply.is_error
    assert plain_text(reply) == (
        "only the tool's maintainers may use logs: your irc account is not linked to a "
        "Wikimedia developer account; say link to me in a direct message and log in with "
        "your developer account"
    )


async def test_a_tool_whose_maintainers_are_all_disabled_says_so(
    make_bot: MakeBot, sandbox: Sandbox, tmp_path: Path
) -> None:
    directory = tmp_path / "directory.toml"
    directory.write_text(
        f'[tools.{TOOL}]\nmaintainers = ["zed"]\n\n[accounts.zed]\ndisabled = true\n'
        '\n[accounts.bob]\nemail = "bob@example.org"\n'
    )
    bot = await make_bot(directory=DirectorySettings(file=directory))
    bob = ChatIdentity("console", "bob", "bob")
    reply = await bot.handle(Message("console", bob, f"restart {TOOL}", direct=True))
    assert reply is not None and reply.is_error
    assert plain_text(reply) == (
        f"only maintainers of '{TOOL}' may restart it; you are signed in as bob, who is not "
        f"one of them ('{TOOL}' has no active maintainers)"
    )
    assert sandbox.restart_count(TOOL, "irc-bot") == 0
