"""Delete each security rule in turn and check that a test fails (``make deletions``).

mutmut changes operators and literals; it does not delete one word from a
pattern, one hint from a list, one redaction rule from the redactor, or one
line of an identity check. This does, one at a time, in a scratch copy of the
project, and runs the tests that should notice:

- every alternative of the secret-name patterns and every name hint
  (bot/redact/_words.py), and every rule of the redactor (bot/redact/_redactor.py);
- the identity rules listed in IDENTITY below: bot/identity.py, the IRC WHOIS
  check, Slack's confirmed-email, workspace, bot and replay checks, Zulip's.

Bookkeeping tests (``every ...``: "each word has a test") are deselected, so a
deletion counts as caught only when behaviour changes. Prints one line per
deletion; exits 1 if any survived.

    python tests/mutation/deletions.py [substring ...]   # only deletions naming it
"""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from scratch import ROOT, scratch_copy  # noqa: E402  (run as a script)

sys.path.insert(0, str(ROOT))
from bot.redact import RULES  # noqa: E402
from bot.redact._words import _SECRET_PART, SECRET_NAME_HINTS  # noqa: E402
from tests.test_redaction_rules import (  # noqa: E402
    REDUNDANT_HINTS,
    REDUNDANT_PARTS,
    alternatives,
)


@dataclass(frozen=True)
class Deletion:
    name: str
    path: str  # file to change, relative to the project
    old: str  # text that must occur exactly once
    new: str
    tests: tuple[str, ...]  # pytest arguments; or "module:function" run in this process
    expected_to_survive: str = ""  # why, for redundant words


# Plain functions over plain data: run in this process (a pytest start per deletion
# took a minute on the loaded machine), every parametrized case of each.
REDACT_TESTS = (
    "tests.test_redaction_rules:test_a_value_under_a_secret_name_is_hidden",
    "tests.test_redaction_rules:test_names_that_only_look_secret_keep_their_value",
)
RULE_TESTS = (
    "tests.test_redact:test_each_rule_hides_its_case_and_no_other_rule_does",
    "tests.test_redact:test_known_secret_shapes_are_hidden",
)
_WORDS = "bot/redact/_words.py"


def redaction_deletions() -> Iterator[Deletion]:
    source = (ROOT / _WORDS).read_text()
    parts = alternatives(_SECRET_PART.pattern)
    for word in parts:
        rest = "(?i)" + "|".join(p for p in parts if p != word)
        yield Deletion(
            f"secret word {word!r}", _WORDS, "\n@lru_cache",
            f"\n_SECRET_PART = re.compile({rest!r})\n\n\n@lru_cache",
            REDACT_TESTS, REDUNDANT_PARTS.get(word, ""),
        )  # fmt: skip
    whole = "(?:sig|dsn|appid|pw)"
    assert whole in source
    for word in ("sig", "dsn", "appid", "pw"):
        kept = "|".join(w for w in ("sig", "dsn", "appid", "pw") if w != word)
        yield Deletion(f"whole secret word {word!r}", _WORDS, whole, f"(?:{kept})",
                       REDACT_TESTS)  # fmt: skip
    yield Deletion("whole secret word '.*key'", _WORDS, "|.*key", "", REDACT_TESTS)
    for hint in SECRET_NAME_HINTS:
        yield Deletion(
            f"name hint {hint!r}", _WORDS, "\n\nValueAfter",
            f"\nSECRET_NAME_HINTS = tuple(h for h in SECRET_NAME_HINTS if h != {hint!r})"
            "\n\nValueAfter",
            REDACT_TESTS, REDUNDANT_HINTS.get(hint, ""),
        )  # fmt: skip
    for rule in RULES:
        yield Deletion(
            f"redaction rule {rule.name!r}", "bot/redact/_redactor.py", "\n_BEGIN_KEY",
            f"\nRULES = tuple(r for r in RULES if r.name != {rule.name!r})\n_BEGIN_KEY",
            RULE_TESTS,
        )  # fmt: skip


_CORE = ("tests/test_identity_rules.py", "tests/test_authorisation_matrix.py")
_IRC = ("tests/irc/test_identity_rules.py", "tests/irc/test_units.py")
_SLACK = ("tests/test_slack_identity_rules.py", "tests/test_slack_adapter.py",
          "tests/test_adversarial_chat.py")  # fmt: skip
_ZULIP = ("tests/test_zulip_adapter.py", "tests/test_adversarial_chat.py")
IDENTITY = (
    Deletion("core: an unverified sender resolves like a verified one", "bot/identity.py",
             "    if not sender.verified:\n        return Resolved(None)\n", "", _CORE),
    Deletion("core: the console's rule for every platform", "bot/identity.py",
             "if sender.platform in LOCAL_PLATFORMS:", "if True:", _CORE),
    Deletion("core: no link lookup", "bot/identity.py",
             "    if link is not None:\n", "    if False:\n", _CORE),
    Deletion("core: any platform's email is believed", "bot/identity.py",
             "if sender.email and sender.platform in EMAIL_VERIFIED_PLATFORMS:",
             "if sender.email:", _CORE),
    Deletion("core: Slack's email is not believed", "bot/identity.py",
             'frozenset({"zulip", "slack"})', 'frozenset({"zulip"})', _CORE),
    Deletion("core: Zulip's email is not believed", "bot/identity.py",
             'frozenset({"zulip", "slack"})', 'frozenset({"slack"})', _CORE),
    Deletion("core: configured admins are not admins", "bot/identity.py",
             "if account in services.config.bot.admins:", "if False:", _CORE),
    Deletion("core: an admin may act on tools they do not maintain", "bot/policy.py",
             "    if command.permission is not Permission.MAINTAINER:\n",
             "    if command.permission is not Permission.MAINTAINER or ctx.is_admin:\n",
             _CORE),
    Deletion("irc: WHOIS compares the host only", "adapters/irc/identity.py",
             "if (cached.user, cached.host) != (user, host):", "if cached.host != host:", _IRC),
    Deletion("irc: WHOIS compares the user only", "adapters/irc/identity.py",
             "if (cached.user, cached.host) != (user, host):", "if cached.user != user:", _IRC),
    Deletion("irc: WHOIS answers are cached for nicks we cannot follow",
             "adapters/irc/identity.py", "            if self.sees(nick):\n",
             "            if True:\n", _IRC),
    Deletion("irc: an account change keeps the cached WHOIS", "adapters/irc/identity.py",
             "        key = irc_lower(nick)\n        self._cache.pop(key, None)\n"
             "        if key in self._channels:",
             "        key = irc_lower(nick)\n        if key in self._channels:", _IRC),
    Deletion("irc: a rename keeps what was known of the new nick", "adapters/irc/identity.py",
             "        else:\n            self._live.pop(new_key, None)\n", "", _IRC),
    Deletion("irc: live state without a shared channel", "adapters/irc/identity.py",
             "if key in self._live and self._channels.get(key):", "if key in self._live:",
             _IRC, "a nick is in _live only while it shares a channel: every path that "
             "empties its channels (left, quit, channel_lost) drops it from _live too"),
    Deletion("irc: a reconnection leaves WHOIS waiting", "adapters/irc/identity.py",
             "                pending.future.set_result((None, None, None))\n",
             "                pass\n", _IRC),
    Deletion("slack: unconfirmed emails are believed", "adapters/slack/inbound.py",
             'if user.get("is_email_confirmed") is True else None', "", _SLACK),
    Deletion("slack: another workspace's email is believed", "adapters/slack/inbound.py",
             "email = known.email if team and team == self.home_team else None",
             "email = known.email", _SLACK),
    Deletion("slack: the event's team wins over users.info's", "adapters/slack/inbound.py",
             "team = known.team or team or self.home_team",
             "team = team or known.team or self.home_team", _SLACK),
    Deletion("slack: bot users are people", "adapters/slack/inbound.py",
             'is_bot=user.get("is_bot") is True', "is_bot=False", _SLACK),
    Deletion("slack: replays are not remembered", "adapters/slack/replays.py",
             "        if signature in self._seen:\n            return True\n", "", _SLACK),
    Deletion("slack: replayed requests are not refused", "adapters/slack/adapter.py",
             "if signature and self._replays.seen(signature):", "if False:", _SLACK),
    Deletion("slack: signatures are not verified", "adapters/slack/adapter.py",
             'request_verification_enabled=config.mode == "http"',
             "request_verification_enabled=False", _SLACK),
    Deletion("slack: other apps' bot messages are commands", "adapters/slack/adapter.py",
             'if event.get("subtype") or event.get("bot_id") or "user" not in event:',
             'if event.get("subtype") or "user" not in event:', _SLACK),
    Deletion("zulip: the bot answers itself", "adapters/zulip/inbound.py",
             "    if sender_id == me.user_id:\n        return None\n", "", _ZULIP),
    Deletion("zulip: the sender's email is dropped", "adapters/zulip/inbound.py",
             'email=str(raw["sender_email"]) if raw.get("sender_email") else None',
             "email=None", _ZULIP),
    Deletion("zulip: integrations' bots are people", "adapters/zulip/adapter.py",
             "        if await self._is_bot(origin.sender_id):\n            return  #",
             "        if False:\n            return  #", _ZULIP),
)  # fmt: skip


def run(deletion: Deletion, work: Path) -> bool:
    """Whether a test failed with ``deletion`` made in ``work`` (it was caught)."""
    path = work / deletion.path
    source = path.read_text()
    count = source.count(deletion.old)
    if count != 1:
        raise SystemExit(f"{deletion.name}: {deletion.old!r} occurs {count} times in {path}")
    path.write_text(source.replace(deletion.old, deletion.new))
    try:
        if all(":" in test for test in deletion.tests):
            return _fails_in_process(deletion.tests, work)
        return _fails_in_pytest(deletion, work)
    finally:
        path.write_text(source)


def _fails_in_process(tests: tuple[str, ...], work: Path) -> bool:
    """Import the changed code afresh from ``work`` and call each test function with
    each of its parametrized cases; whether one failed."""
    for name in [m for m in sys.modules if m.split(".")[0] in ("bot", "tests")]:
        del sys.modules[name]
    sys.path[:] = [str(work), *(p for p in sys.path if p not in (str(work), str(ROOT)))]
    for test in tests:
        module_name, function_name = test.split(":")
        function = getattr(importlib.import_module(module_name), function_name)
        for case in _cases(function):
            try:
                function(*case)
            except AssertionError:
                return True
    return False


def _cases(function: Any) -> list[tuple[Any, ...]]:
    marks = [m for m in getattr(function, "pytestmark", []) if m.name == "parametrize"]
    if not marks:
        return [()]
    names, values = marks[0].args[:2]
    single = "," not in names if isinstance(names, str) else len(names) == 1
    return [(v,) if single else tuple(v) for v in values]


def _fails_in_pytest(deletion: Deletion, work: Path) -> bool:
    args = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:randomly",
            "-p", "no:cacheprovider", *deletion.tests]  # fmt: skip
    result = subprocess.run(args, cwd=work, capture_output=True, text=True, check=False)
    if result.returncode not in (0, 1):  # 1: tests failed; anything else: it did not run
        raise SystemExit(f"{deletion.name}: pytest exited {result.returncode}\n{result.stdout}")
    failed = re.findall(r"^FAILED (\S+)", result.stdout, re.M)
    return result.returncode == 1 and bool(failed)


def main(argv: list[str]) -> int:
    deletions = [*redaction_deletions(), *IDENTITY]
    if argv:
        deletions = [d for d in deletions if any(word in d.name for word in argv)]
    survivors = []
    work = scratch_copy("deletions")
    for tests in {d.tests for d in deletions if all(":" in t for t in d.tests)}:
        # With nothing deleted they must pass, or every deletion would look caught.
        assert not _fails_in_process(tests, work), f"{tests} fail on the unchanged code"
    redundant = 0
    for deletion in deletions:
        if run(deletion, work):
            verdict = "caught"
        elif deletion.expected_to_survive:
            verdict = f"survived, redundant: {deletion.expected_to_survive}"
            redundant += 1
        else:
            verdict = "SURVIVED"
            survivors.append(deletion.name)
        print(f"{verdict:>8}  {deletion.name}", flush=True)
    print(f"{len(deletions) - len(survivors) - redundant} of {len(deletions) - redundant} "
          f"deletions caught ({redundant} redundant, with the reason, not counted); "
          f"survivors: {survivors or 'none'}")  # fmt: skip
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
