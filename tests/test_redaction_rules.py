"""One test per word that makes a name secret, and per hint that lets the name rules run.

tests/test_redact.py has one case per rule (and checks that no other rule
hides it). Here: each alternative of the secret-name patterns
(``bot/redact/_words.py``) has a name that only it makes secret, and each
hint in ``SECRET_NAME_HINTS`` a name that only it lets through to the rules,
so that deleting any one word or hint fails a test (``make deletions`` does
that deletion for each, and runs these tests). Words that another word
always covers are listed as redundant, with the reason.
"""

from __future__ import annotations

import re

import pytest

from bot.redact import MASK, MAX_LINE, Redactor, redact, redact_lines
from bot.redact._rule import keep_group_rule, mask_spans, pattern_rule
from bot.redact._words import _SECRET_PART, _SECRET_WHOLE, SECRET_NAME_HINTS, is_secret_name

SECRET = "Zq9xW3vKp7"

# Each alternative of _SECRET_PART -> a name that no other alternative (and not
# _SECRET_WHOLE) makes secret.
PART_NAMES = {
    "pass(?!ed\\b|es\\b|ing|enger|age)(?:word|wd|phrase|wort)?": "lgpass",
    "pwd": "dbpwd",
    "contrase[ñn]a": "contraseña",
    "senha": "senha",
    "wachtwoord": "wachtwoord",
    "mot_?de_?passe": "mot_de_passes",  # "passes" is not a pass word; the French one is
    "secret": "client_secret",
    "token": "csrftoken",
    "credential": "gcp_credential",
    "creds?\\b": "db_creds",
    "auth(?!or)": "oauth",
    "session": "enwikiSession",
    "sessid": "PHPSESSID",
    "signature": "x_signature",
    "cookie": "mycookie",
    "verifier": "code_verifier",
    "webhook": "slack_webhook",
    "salt\\b": "hash_salt",
    "remember_": "remember_web",
    "conn(?:ection)?_?str": "conn_str",
}
# Alternatives that another always covers: deleting one changes nothing (EQUIVALENT.md).
REDUNDANT_PARTS = {
    "passwd": "any name holding 'passwd' holds 'pass' followed by 'wd', the first alternative",
}
# Words that make a name secret only as its whole (or its last part).
WHOLE_NAMES = {"sig": "x-sig", "dsn": "SENTRY_DSN", "appid": "appid", "pw": "db_pw"}
KEY_NAMES = ("apikey", "Consumer-Key", "private_key")

# Each hint -> a name holding that hint and no other one.
HINT_NAMES = {
    "pass": "lgpass",
    "pw": "db_pw",
    "contrase": "contraseña",
    "senha": "senha",
    "wachtwoord": "wachtwoord",
    "secret": "client_secret",
    "token": "csrftoken",
    "cred": "db_creds",
    "auth": "oauth",
    "sess": "PHPSESSID",
    "sig": "x-sig",
    "cookie": "mycookie",
    "verifier": "code_verifier",
    "webhook": "slack_webhook",
    "salt": "hash_salt",
    "remember": "remember_web",
    "conn": "conn_str",
    "key": "apikey",
    "dsn": "SENTRY_DSN",
    "appid": "appid",
}
REDUNDANT_HINTS = {
    "pwd": "every name holding 'pwd' holds 'pw'",
    "mot": "every name the mot_de_passe word makes secret holds 'pass'",
}
# Names that look secret but are not: the exceptions the patterns spell out.
ORDINARY_NAMES = (
    "passed", "passes", "passing", "passenger", "passage", "author", "credit", "salty",
    "keyboard", "signal",
)  # fmt: skip


def alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a regular expression (without its inline flags)."""
    pattern = pattern.removeprefix("(?i)")
    parts, depth, current, i = [], 0, "", 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            current += pattern[i : i + 2]
            i += 2
            continue
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        if char == "|" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
        i += 1
    return [*parts, current]


def test_every_secret_word_has_a_name_only_it_makes_secret() -> None:
    assert set(PART_NAMES) | set(REDUNDANT_PARTS) == set(alternatives(_SECRET_PART.pattern))
    assert _SECRET_WHOLE.pattern == r"(?i)(?:\w*[\W_])?(?:sig|dsn|appid|pw)|.*key"
    for word, name in PART_NAMES.items():
        others = re.compile(
            "(?i)" + "|".join(a for a in alternatives(_SECRET_PART.pattern) if a != word)
        )
        assert others.search(name) is None and _SECRET_WHOLE.fullmatch(name) is None, name


def test_every_hint_has_a_name_holding_only_it() -> None:
    assert set(HINT_NAMES) | set(REDUNDANT_HINTS) == set(SECRET_NAME_HINTS)
    for hint, name in HINT_NAMES.items():
        held = {h for h in SECRET_NAME_HINTS if h in name.lower()}
        assert held == {hint}, (name, held)


NAMES = sorted({*PART_NAMES.values(), *WHOLE_NAMES.values(), *KEY_NAMES, *HINT_NAMES.values()})


@pytest.mark.parametrize("name", NAMES)
def test_a_value_under_a_secret_name_is_hidden(name: str) -> None:
    assert is_secret_name(name)
    assert redact(f"{name}={SECRET} user=bob") == f"{name}=[REDACTED] user=bob"
    assert redact(f'{{"{name}": "{SECRET}", "n": 1}}') == f'{{"{name}": [REDACTED], "n": 1}}'
    assert redact(f"--{name} {SECRET} -v") == f"--{name} [REDACTED] -v"


@pytest.mark.parametrize("name", ORDINARY_NAMES)
def test_names_that_only_look_secret_keep_their_value(name: str) -> None:
    assert not is_secret_name(name)
    assert redact(f"{name}=12 user=bob") == f"{name}=12 user=bob"


def test_a_name_longer_than_80_characters_is_not_judged() -> None:
    # A name that long is data, not a key; it would also make the scan quadratic.
    assert is_secret_name("x" * 77 + "key")
    assert not is_secret_name("x" * 78 + "key")


# -- how rules are built (at import time, so tested here by building some) ---------------


def test_a_pattern_rule_masks_every_match_and_keeps_its_name_and_hints() -> None:
    rule = pattern_rule("digits", r"\d{3,}", hints=("0", "1"))
    assert (rule.name, rule.hints) == ("digits", ("0", "1"))
    assert rule.apply("a 123 b 4 c 56789") == f"a {MASK} b 4 c {MASK}"
    assert pattern_rule("x", r"k(\d)", r"\1!").apply("k1 k2") == "1! 2!"
    assert pattern_rule("x", "y").hints == ()


def test_a_keep_group_rule_keeps_the_context_and_masks_the_rest() -> None:
    rule = keep_group_rule("key", r"(key=)\w+", hints=("key",))
    assert (rule.name, rule.hints) == ("key", ("key",))
    assert rule.apply("a key=abc b key=d") == f"a key={MASK} b key={MASK}"
    assert keep_group_rule("x", "(a)b").hints == ()


def test_spans_are_masked_once_even_when_they_touch_or_overlap() -> None:
    text = "0123456789"
    assert mask_spans(text, []) == text
    assert mask_spans(text, [(2, 4)]) == f"01{MASK}456789"
    assert mask_spans(text, [(6, 8), (2, 4)]) == f"01{MASK}45{MASK}89"
    assert mask_spans(text, [(2, 5), (4, 7)]) == f"01{MASK}789"
    assert mask_spans(text, [(2, 4), (4, 6)]) == f"01{MASK}6789"
    assert mask_spans(text, [(2, 6), (3, 4)]) == f"01{MASK}6789"
    assert mask_spans(text, [(0, 10)]) == MASK
    assert mask_spans(text, [(0, 2), (1, 3)]) == f"{MASK}3456789"
    assert mask_spans(text, [(2, 6), (3, 4), (7, 8)]) == f"01{MASK}6{MASK}89"
    assert mask_spans(text, [(2, 5), (4, 7), (8, 9)]) == f"01{MASK}7{MASK}9"


# -- the redactor's own line handling ------------------------------------------------------

KEY = "-----BEGIN RSA PRIVATE KEY-----{}-----END RSA PRIVATE KEY-----"
NOTE = f"{MASK} (private key)"


def test_a_line_of_exactly_the_limit_is_shown_whole() -> None:
    words = "word " * (MAX_LINE // 5)  # not one long run, which reads as encoded data
    assert len(words) == MAX_LINE and Redactor().line(words) == words
    assert Redactor().line(words + "x") == words + " … (line cut)"


def test_keys_inside_one_line_are_hidden_and_the_rest_kept() -> None:
    redactor = Redactor()
    assert redactor.line("x " + KEY.format("k1") + " y") == f"x {NOTE} y"
    two = f"a {KEY.format('k1')} b {KEY.format('k2')} c"
    assert redactor.line(two) == f"a {NOTE} b {NOTE} c"
    assert redactor.line("x -----BEGIN PRIVATE KEY----- abc") == f"x {NOTE}"


def test_a_value_below_its_name_is_hidden_past_blank_lines() -> None:
    lines = ["password:", "", "  hunter2x", "user: bob"]
    assert redact_lines(lines) == ["password:", "", f"  {MASK}", "user: bob"]
