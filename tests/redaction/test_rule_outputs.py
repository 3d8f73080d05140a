"""What each rule family leaves of a line, character for character.

The corpus proves that no secret survives; it cannot see a rule that hides
too much (the rest of the line after a call, the host a connection is made
to, the next key of a query string) or mangles what it keeps. Each case here
is the whole line as the user reads it in chat.
"""

from __future__ import annotations

import re

import pytest

from bot.redact import MASK, redact, redact_lines
from bot.redact._rule import Rule
from bot.redact._tokens import _token, looks_random

R = MASK
OUTPUTS = [
    # -- credentials by position (bot/redact/_calls.py) --
    # every literal of a login, and only up to the end of the call
    ("site.login('ExampleBot', 'SnVM-Yfj17Jzmp') or print('kept')",
     f"site.login({R}, {R}) or print('kept')"),
    ("echo('kept'); login('bob', 'Zq9xW3vKp7')", f"echo('kept'); login({R}, {R})"),
    # a first argument that names a place stays, when more arguments follow
    ("conn = pymysql.connect('tools.db.svc.wikimedia.cloud', 's52341', 'Zq9xW3vKp7', 'x__p')",
     f"conn = pymysql.connect('tools.db.svc.wikimedia.cloud', {R}, {R}, {R})"),
    ("db = connect('db.example.org', 'Zq9xW3vKp7')", f"db = connect('db.example.org', {R})"),
    (" " * 300 + "connect('db.example.org', 'bob', 'Zq9xW3vKp7')",
     " " * 300 + f"connect('db.example.org', {R}, {R})"),
    ("PDO->__construct('mysql:host=db', 'u', 'Zq9xW3vKp7')",
     f"PDO->__construct('mysql:host=db', {R}, {R})"),
    # ... but not alone (it may be the credential), nor a place in a later position
    ("client.login('wiki.example.org')", f"client.login({R})"),
    ("connect(cfg, 'db.example.org', 'Zq9xW3vKp7')", f"connect(cfg, {R}, {R})"),
    # ... nor one of 300 characters or more
    ("connect('" + "a" * 286 + ".example.org', 'bob')", f"connect({R}, {R})"),
    # literals inside nested calls, and the arguments after them
    ("login(get('bob'), 'Zq9xW3vKp7') or print('kept')",
     f"login(get({R}), {R}) or print('kept')"),
    ("login(f(g('bob')), 'Zq9xW3vKp7')", f"login(f(g({R})), {R})"),
    ("login(creds('bob', 'Zq9xW3vKp7'), 'x')", f"login(creds({R}, {R}), {R})"),
    # named arguments are judged by their name (the assignment rule), and skipped here
    ("login(user='bob', password='Zq9xW3vKp7')", f"login(user='bob', password={R})"),
    ("login(user='bob', 'Zq9xW3vKp7')", f"login(user='bob', {R})"),
    # -- assignments (bot/redact/_assignments.py) --
    # in a query string the value ends at & or a space; elsewhere it may be several words
    ("GET /cb?access_token=Zq9xW3vKp7&state=ok HTTP/1.1",
     f"GET /cb?access_token={R}&state=ok HTTP/1.1"),
    ("?token=Zq9xW3vKp7 sent", f"?token={R} sent"),
    ("token=correct horse battery?", f"token={R}"),
    # XML: the element named secret, XML-RPC's <name>/<value> pair, and nothing else
    ("<name>password</name><value><string>Zq9xW3vKp7</string></value> <token>abc123def</token>",
     f"<name>password</name><value>{R}</value> <token>{R}</token>"),
    ("<password>secret</password>", f"<password>{R}</password>"),
    ("<user>bob</user><password></password>", "<user>bob</user><password></password>"),
    # -- command lines and credential files (bot/redact/_commands.py) --
    ("machine api.example.org login bob password Zq9xW3vKp7",
     f"machine api.example.org login bob password {R}"),
    ("password Zq9xW3vKp7", f"password {R}"),
    ("user bob: login ok, password reset", "user bob: login ok, password reset"),
    ("mysql -pZq9xW3vKp7 -u s51234", f"mysql -p{R} -u s51234"),
    ("redis-cli -a Zq9xW3vKp7 ping", f"redis-cli -a {R} ping"),
    # -- URLs (bot/redact/_urls.py) --
    ("connecting to https://bot:hunter2pass@example.org/api",
     f"connecting to https://{R}@example.org/api"),
    # a token alone before the host, with an @ later in the path
    ("https://Zq9xW3vKp7@example.org/u/me@example.org", f"https://{R}@example.org/u/me@example.org"),
    ("dsn https://0123abcdXef456@o1.ingest.sentry.io/5", f"dsn https://{R}@o1.ingest.sentry.io/5"),
    # -- several lines in one text, redacted line by line --
    ("a\npassword=Zq9xW3vKp7\nb", f"a\npassword={R}\nb"),
]  # fmt: skip


# Ids of words only: mutmut selects tests by id, and cannot select one holding a backslash.
IDS = [f"{i}-" + "-".join(re.findall(r"\w+", line))[:40] for i, (line, _) in enumerate(OUTPUTS)]


@pytest.mark.parametrize(("line", "shown"), OUTPUTS, ids=IDS)
def test_a_line_shows_exactly_what_its_rules_leave(line: str, shown: str) -> None:
    assert redact(line) == shown


def test_a_yaml_block_value_below_its_name_is_hidden_after_trailing_spaces() -> None:
    lines = ["db_password: |  ", "    Zq9xW3vKp7", "user: bob"]
    assert redact_lines(lines) == ["db_password: |  ", f"    {MASK}", "user: bob"]


def test_a_provider_token_rule_matches_the_token_alone_and_keeps_its_name_and_hints() -> None:
    # Built at import time for every provider; built here so that a test sees the builder.
    rule = _token("demo token", r"dm_\d{4}", "dm_", "x")
    assert isinstance(rule, Rule)
    assert (rule.name, rule.hints) == ("demo token", ("dm_", "x"))
    assert rule.apply("a dm_1234 b dm_5678") == f"a {MASK} b {MASK}"
    assert rule.apply("xdm_1234 dm_1234x dm_1234-5 dm_12") == "xdm_1234 dm_1234x dm_1234-5 dm_12"


@pytest.mark.parametrize(
    ("text", "random"),
    [
        ("k3Jx9Qp2Zm7W8rTv", True),
        ("k3J.x9Q.p2Z.m7W8r", False),  # three dots: a host name
        ("k3Jx9.Qp2Zm7.W8rT", True),  # two dots are not enough to be one
        ("k3Jx9/Qp2Zm/7W8rTv", False),  # two slashes: a path
        ("k3Jx9Qp2/Zm7W8rTv", True),  # one slash is base64
        # just at the limit, 0.8 of the most a string of its length and alphabet can reach
        ("g1h2i3j4k5l6m7n8g1h2i3j4k5l6m7n8", True),  # 4.0 bits of 5
        ("847eb7566d7aa6ac2", True),  # hex: 3.25 bits of 4
        ("OcO2ARTZdbxNhJ1vJnVVdeTDrQJVaVRv2DVPDVcia1RVFWcXwycv1wgDlyxZwFIjl", True),  # 4.80 of 6
        ("aaaaaaaabbbbbbbb1", False),
        ("abcdefghijklmnopqrstuvwxyz", False),  # no digit
    ],
)
def test_looks_random_judges_ids_paths_and_entropy(text: str, random: bool) -> None:
    assert looks_random(text) is random


def test_a_long_line_of_a_text_is_cut_alone_and_the_lines_after_it_shown() -> None:
    text = "word " * 1000 + "\nlast line"
    assert redact(text) == "word " * 800 + " … (line cut)\nlast line"


# -- known values (bot/redact/_known.py): the value, in the encodings a log shows, and only it --
V = "Zq9xW3vKp7"
KNOWN_OUTPUTS = [
    ("user ZQ9XW3VKP7 logged in", [V], "user ZQ9XW3VKP7 logged in"),  # another value
    ("dump 5A7139785733764B7037", [V], f"dump {R}"),  # its hex, in capitals
    ("x Zq9xW3vKp7 y", ["Zq9xW3", V], f"x {R} y"),  # the longest value first
    ("pw abc123", ["abc123"], f"pw {R}"),  # six characters are enough
    # base64: the characters made only of the value's bits, for each value
    ("a WnE5eFczdktwNw== b UTdtUDJ4TGs5dw==", [V, "Q7mP2xLk9w"], f"a {R}w== b {R}w=="),
    # percent-encoded UTF-8, two three-byte characters in a row, and one at the end
    ("v=Zq9%E2%82%AC%E2%82%ACxW3&x=1", ["Zq9€€xW3"], f"v={R}&x=1"),
    ("v=Zq9xW3v%C3%A9&x=1", ["Zq9xW3vé"], f"v={R}&x=1"),
    ("Zq9x%573vKp7 end", [V], f"{R} end"),  # an escape inside, at the start of the text
    ("&bogus;Zq9&amp;xW3vKp7 end", ["Zq9&xW3vKp7"], f"&bogus;{R} end"),  # after an unknown entity
    ("v=Zq9&nope;W3%41 end", ["Zq9&nope;W3A"], f"v={R} end"),  # an unknown entity inside
    ("x \\U00110000 y", [V], "x \\U00110000 y"),  # an escape past the last code point
    # a value with a space, form-encoded once and twice (its + is %2B until decoded)
    ("q=Zq9+xW3vKp7", ["Zq9 xW3vKp7"], f"q={R}"),
    ("q=Zq9%2BxW3vKp7", ["Zq9 xW3vKp7"], f"q={R}"),
    ("a=Zq9+xW3vKp7 hex=5a713920785733764b7037", ["Zq9 xW3vKp7"], f"a={R} hex={R}"),
    # a value that looks escaped is also found as it reads decoded
    ("x %41BC y", ["%41%42%43"], f"x {R} y"),
    ("v=Zq9%2BAxW3&x=1", ["Zq9+%41xW3"], f"v={R}&x=1"),  # its + kept, its %41 decoded
]  # fmt: skip
KNOWN_IDS = [f"{i}-" + "-".join(re.findall(r"\w+", line))[:40] for i, (line, *_) in
             enumerate(KNOWN_OUTPUTS)]  # fmt: skip


@pytest.mark.parametrize(("line", "known", "shown"), KNOWN_OUTPUTS, ids=KNOWN_IDS)
def test_a_known_value_is_hidden_exactly_where_it_shows(
    line: str, known: list[str], shown: str
) -> None:
    assert redact(line, known) == shown
