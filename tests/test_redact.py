"""The secret redactor: what it must hide, what it must leave, and that it never leaks."""

from __future__ import annotations

import base64
import html
import json
import re
import time
from collections.abc import Callable
from urllib.parse import quote, quote_plus, unquote, unquote_plus

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from bot.redact import MASK, RULES, Redactor, redact, redact_lines
from tests.redaction.adversarial import adversarial_lines

CASES = [
    ("Authorization: Bearer abc123def456", "abc123def456"),
    ("authorization=Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"),
    ("GET / Cookie: session=SECRETcookie; theme=dark", "SECRETcookie"),
    ("Set-Cookie: sid=31d4d96e407aad42; Path=/", "31d4d96e407aad42"),
    ("connecting to https://bot:hunter2pass@example.org/api", "hunter2pass"),
    ("git clone https://oauth2:glpat-AbCdEf0123456789xyz@gitlab.example/x.git", "glpat-"),
    ("password=hunter2 user=bob", "hunter2"),
    ('{"api_key": "k-12345678", "ok": true}', "k-12345678"),
    ("DB_PASSWORD: 's3cr3t value'", "s3cr3t value"),
    ("slack token xoxb-1234-5678-abcdefgh", "xoxb-1234-5678-abcdefgh"),
    ("using ghp_abcdefghijklmnopqrstuvwxyz0123456789", "ghp_abcdefghij"),
    ("aws AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
    ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "eyJhbGciOiJIUzI1NiJ9"),
    ("mysql --password hunter22 -h tools.db", "hunter22"),
    ("client_secret=abcdef&grant_type=x", "abcdef"),
    ("mysql -pZq9xW3vKp7 -u s51234 -h tools.db", "Zq9xW3vKp7"),
    ("mysql -p'Zq9 xW3' -u s51234", "Zq9 xW3"),
    ('{"msg": "{\\"password\\": \\"Zq9xW3vKp7\\"}"}', "Zq9xW3vKp7"),
    ("requests.get(url, auth=('bot', 'Zq9xW3vKp7'))", "Zq9xW3vKp7"),
    ("POST https://api.telegram.org/bot7012345678:AAHZq9xW3vKp7Lm2Rt8/send", "Zq9xW3vKp7"),
    ("PGPASSWORD=Zq9xW3vKp7 psql -h db", "Zq9xW3vKp7"),
    ("GET /callback?access_token=Zq9xW3vKp7&x=1", "Zq9xW3vKp7"),
    # Each of these is caught by one rule alone (the token shapes, the Bearer word).
    ("pushed with glpat-AbCdEf0123456789xyz", "glpat-AbCdEf0123456789xyz"),
    ("posted with xoxb-1234-5678-abcdefgh", "xoxb-1234-5678-abcdefgh"),
    ("llm key sk-proj0123456789abcdefXYZ in use", "sk-proj0123456789abcdefXYZ"),
    ("sending Bearer abc123def456 upstream", "abc123def456"),
    ("key -----BEGIN EC PRIVATE KEY-----MHcCAQEEIO-----END EC PRIVATE KEY----- ok", "MHcCAQEEIO"),
]


@pytest.mark.parametrize(("line", "secret"), CASES)
def test_known_secret_shapes_are_hidden(line: str, secret: str) -> None:
    out = redact(line)
    assert secret not in out
    assert MASK in out


@pytest.mark.parametrize(
    "line",
    [
        "Listening at: http://0.0.0.0:8000",
        "processed 42 pages in 3.1s",
        "connected to tools.db.svc.wikimedia.cloud as s54321",
        "https://sample-web.toolforge.org/healthz 200",
    ],
)
def test_ordinary_lines_pass_unchanged(line: str) -> None:
    assert redact(line) == line


def test_private_key_blocks_spanning_lines_are_removed() -> None:
    lines = [
        "starting",
        "key: -----BEGIN OPENSSH PRIVATE KEY-----",
        "b3BlbnNzaC1rZXktdjEAAAAA",
        "-----END OPENSSH PRIVATE KEY-----",
        "done",
    ]
    out = redact_lines(lines)
    assert out[0] == "starting" and out[-1] == "done"
    assert not any("b3BlbnNzaC1rZXktdjEAAAAA" in line for line in out)
    assert len(out) == 3


def test_known_literal_secrets_are_hidden_anywhere() -> None:
    assert "tokenvalue99" not in redact("weird place tokenvalue99!", ["tokenvalue99"])
    encoded = redact("GET /cb?sig=p4ss%2Fw0rd%2BSECRET%3D%3D HTTP/1.1", ["p4ss/w0rd+SECRET=="])
    assert "p4ss%2Fw0rd" not in encoded


def test_a_window_that_starts_inside_a_private_key_hides_it() -> None:
    body = [f"MIIEpAIBAAKCAQEA{i:02d}qwertyuiopasdfghjklzxcvbnm0123456789AB" for i in range(5)]
    out = redact_lines([*body, "-----END RSA PRIVATE KEY-----", "started"])
    assert out == ["[REDACTED] (private key)", "started"]


def test_a_bare_base64_blob_is_hidden() -> None:
    assert redact("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9w") == (
        "[REDACTED] (encoded data)"
    )


def test_mysql_p_is_only_a_password_for_mysql() -> None:
    assert redact("find . -name x -print") == "find . -name x -print"


def test_long_lines_are_cut_and_cannot_stall_the_bot() -> None:
    # A 40,000-character line used to take minutes (quadratic backtracking).
    line = "GET /" + "a.b-c_d" * 6000 + " HTTP/1.1"
    started = time.process_time()
    out = redact(line)
    assert time.process_time() - started < 2.0  # CPU seconds: a busy machine does not count
    assert out.endswith("… (line cut)") and len(out) < 4100


@pytest.mark.parametrize(("shape", "line"), adversarial_lines(40_000))
def test_no_long_line_shape_is_slow(shape: str, line: str) -> None:
    # Each shape opens some rule's match without closing it; a backtracking or
    # quadratic pattern takes seconds to minutes on these (the measured worst is
    # about 0.2 s, see tests/bench/bench_redact.py).
    # CPU time, not wall time: a machine busy with other work must not fail this,
    # while a pattern that backtracks still burns seconds of CPU.
    redactor = Redactor(["Zq9xW3vKp7Lm2Rt8", "another-known-value"])
    started = time.process_time()
    redactor.positions([line])
    assert time.process_time() - started < 1.5, shape


def test_the_cut_never_shows_the_start_of_a_secret() -> None:
    token = "ghp_" + "Zq9xW3vKp7Lm2Rt8" * 3
    for at in range(3980, 4000, 3):
        out = redact("x" * at + " " + token + " and more" * 20)
        assert "Zq9xW3" not in out and out.endswith("… (line cut)")
    known = "Kx8v" * 8
    out = redact("q=" + "a+" * 1997 + known, [known])
    assert "Kx8v" not in out


TEMPLATES = [
    "Authorization: Bearer {s}",
    "password={s}",
    'x "api_key": "{s}" y',
    "https://user:{s}@host.example/",
    "Cookie: session={s}",
    "token: {s}",
    "--password {s}",
    "secret = {s}",
    "'password' => '{s}',",
    "[password] => {s}",
    ':api_key => "{s}"',
    "define('DB_PASSWORD', '{s}');",
    "site.login('ExampleBot', '{s}')",
    "PRIVMSG NickServ :IDENTIFY ExampleBot {s}",
    "TO SERVER: PASS {s}",
    "curl -u bot:{s} https://example.org/",
    "sshpass -p {s} ssh host",
    "<password>{s}</password>",
    "machine example.org login bot password {s}",
    "https://bot:p@{s}@example.org/",
    "{{'session_id': '{s}'}}",
    '{{"name": "DB_PASSWORD", "value": "{s}"}}',
    "Password:{s} Host:db",
]
SECRET = st.text(alphabet="abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", min_size=8)


@given(st.sampled_from(TEMPLATES), SECRET, st.text(max_size=30), st.text(max_size=30))
def test_a_secret_in_any_context_never_survives(
    template: str, secret: str, before: str, after: str
) -> None:
    assume(secret not in before and secret not in after)
    line = before + " " + template.format(s=secret) + " " + after
    assert secret not in redact(line)
    assert all(secret not in x for x in redact_lines(line.splitlines() or [line]))


@given(st.text())
def test_redact_never_raises(text: str) -> None:
    assert isinstance(redact(text), str)
    assert isinstance(redact_lines(text.splitlines()), list)


# -- one case per rule: a line only that rule catches -------------------------

RULE_CASES: dict[str, tuple[str, str]] = {
    "gitlab token": ("pushed with glpat-AbCdEf0123456789xyz", "AbCdEf0123456789xyz"),
    "slack token": ("posted with xoxb-1234-5678-abcdefgh", "5678-abcdefgh"),
    "github token": ("cloned using ghp_abcdefghijklmnopqrstuvwxyz0123456789", "abcdefghijklm"),
    "aws key id": ("aws AKIAIOSFODNN7EXAMPLE", "IOSFODNN7EXAMPLE"),
    "jwt": ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "eyJzdWIiOiIxIn0"),
    "openai or anthropic key": ("llm sk-proj0123456789abcdefXYZ in use", "proj0123456789"),
    "stripe key": ("charging with rk_live_51H8abcDEF0123xyz", "51H8abcDEF0123xyz"),
    "google api key": ("maps AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW", "SyA1b2C3d4E5f6"),
    "google oauth": ("refreshed ya29.a0AfH6SMBx1y2z3w4v5u6t7s8r9q", "a0AfH6SMBx1y2z3"),
    "pypi token": ("upload pypi-AgEIcHlwaS5vcmcCJDEyMzQ1Njc4LTkwYWItY2RlZi0xMjM0", "CJDEyMzQ1Njc4"),
    "npm token": ("npm notice npm_AbCdEf0123456789AbCdEf0123456789AbCd", "0123456789AbCd"),
    "hugging face token": ("model hf_AbCdEf0123456789AbCdEf0123456789ab", "AbCdEf0123456789"),
    "sendgrid key": ("mail SG.abcdefghijklmnop1234.qrstuvwxyzABCDEF5678", "qrstuvwxyzABCDEF"),
    "mailgun key": ("mail key-3ab6a5cd29fd6fd54cc373afcd7bf0e0", "3ab6a5cd29fd6fd54cc"),
    "twilio key": ("sms SK0123456789abcdef0123456789abcdef", "0123456789abcdef"),
    "digitalocean token": ("doctl dop_v1_" + "0123456789abcdef" * 4, "0123456789abcdef"),
    "docker hub token": ("hub dckr_pat_AbCdEf0123456789AbCdEf0", "AbCdEf0123456789"),
    "shopify token": ("shop shpat_0123456789abcdef0123456789abcdef", "0123456789abcdef"),
    "sentry token": ("sentry sntrys_eyJpYXQiOjE2ODAwMDAwMDAuMCwidXJsIjo", "eyJpYXQiOjE2OD"),
    "mapbox token": ("tiles sk.eyJ1IjoiZXhhbXBsZSJ9.abcdef123456", "eyJ1IjoiZXhhbXBsZSJ9"),
    "atlassian token": ("jira ATATT3xFfGF0" + "AbCdEf0123456789" * 3, "AbCdEf0123456789"),
    "discord bot token": (
        "bot MTA0NTY3ODkwMTIzNDU2Nzg5.GaBcDe.AbCdEfGhIjKlMnOpQrStUvWxYz0123",
        "AbCdEfGhIjKlMnOp",
    ),
    "telegram bot token": ("telegram 110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "AAHdqTcvCH1v"),
    "secret header": ("GET / Cookie: theme=dark; sid=31d4d96e407aad42", "31d4d96e407aad42"),
    "bearer or basic": ("sending Bearer abc123def456 upstream", "abc123def456"),
    "random quoted string": ("args: ['8f3kQ2x9Lm4pZ7wR1tY6']", "8f3kQ2x9Lm4pZ7wR1tY6"),
    "base64 line": ("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9w", "QUJDREVGR0hJ"),
    "long flag value": ("tool --client-secret Zq9xW3vKp7 --verbose", "Zq9xW3vKp7"),
    "short password flag": ("mysql -pZq9xW3vKp7 -u s51234 -h tools.db", "Zq9xW3vKp7"),
    "user:password flag": ("curl -u bot:Zq9xW3vKp7 https://example.org/", "Zq9xW3vKp7"),
    "toolforge envvars create": ("toolforge envvars create MY_VAR Zq9xW3vKp7", "Zq9xW3vKp7"),
    "irc services login": ("PRIVMSG NickServ :identify Zq9xW3vKp7", "Zq9xW3vKp7"),
    "irc identify": ("--> IDENTIFY ExampleBot Zq9xW3vKp7", "Zq9xW3vKp7"),
    "irc pass": ("TO SERVER: PASS Zq9xW3vKp7", "Zq9xW3vKp7"),
    "irc sasl": (">> AUTHENTICATE Ym90AGJvdABaWnE5eFczdktwNw==", "Ym90AGJvdABaWnE5"),
    "netrc": ("machine example.org login bot password Zq9xW3vKp7", "Zq9xW3vKp7"),
    "pgpass": ("db.example.org:5432:*:bot:Zq9xW3vKp7", "Zq9xW3vKp7"),
    "url credentials": ("connecting to https://bot:Zq9x@W3vKp7@example.org/api", "W3vKp7"),
    "go dsn": ("open bot:Zq9xW3vKp7@tcp(db:3306)/wiki", "Zq9xW3vKp7"),
    "slack webhook": (
        "POST https://hooks.slack.com/services/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",
        "Zq9xW3vKp7Lm2Rt8",
    ),
    "discord webhook": (
        "POST https://discord.com/api/webhooks/123456789012/Zq9xW3vKp7Lm2Rt8",
        "Zq9xW3vKp7Lm2Rt8",
    ),
    "teams webhook": ("POST https://x.webhook.office.com/webhookb2/Zq9xW3vKp7Lm2Rt8", "Zq9xW3vKp7"),
    "incoming webhook": (
        "POST https://chat.example.org/hooks/zq9xw3vkp7lm2rt8xy4wv6ab",
        "zq9xw3vk",
    ),
    "telegram bot api": (
        "GET https://api.telegram.org/bot7012345678:Zq9xW3vKp7Lm2Rt8/getMe",
        "Zq9x",
    ),
    "xml element": ("<password>Zq9xW3vKp7</password>", "Zq9xW3vKp7"),
    "named value": ("Cookie[name=JSESSIONID, value=Zq9xW3vKp7, path=/]", "Zq9xW3vKp7"),
    "literal after a secret name": ("define('DB_PASSWORD', 'Zq9xW3vKp7');", "Zq9xW3vKp7"),
    "assignment": ("password=Zq9xW3vKp7 user=bob", "Zq9xW3vKp7"),
    "credentials by position": ("site.login('ExampleBot', 'Zq9xW3vKp7')", "Zq9xW3vKp7"),
}


def test_every_rule_has_a_case() -> None:
    assert sorted(RULE_CASES) == sorted(rule.name for rule in RULES)


@pytest.mark.parametrize(("rule_name", "case"), RULE_CASES.items())
def test_each_rule_hides_its_case_and_no_other_rule_does(
    rule_name: str, case: tuple[str, str]
) -> None:
    line, secret = case
    assert secret in line
    assert secret not in Redactor().line(line)
    # Without this rule the case leaks: deleting any one rule makes a test fail.
    others = Redactor(rules=[rule for rule in RULES if rule.name != rule_name])
    assert secret in others.line(line)


def test_quoted_random_strings_are_hidden_but_ids_and_names_are_not() -> None:
    # A Twilio auth token, an OAuth consumer key: 32 hex digits, in no named field.
    assert "9f86d081884c7d659a2feaa0c55ad015" not in redact(
        "Client('AC01', '9f86d081884c7d659a2feaa0c55ad015')"
    )
    for kept in [
        "{'request': '0f8fad5b-d9cb-469f-a165-70867728950e'}",
        "host='tools.db.svc.wikimedia.cloud'",
        "['sample-web-buildpacks-pipelinerun-k3m9p']",
        "image 'tool-sample-web/tool-sample-web:latest'",
    ]:
        assert redact(kept) == kept


def test_a_value_on_the_line_after_its_name_is_hidden() -> None:
    # PHP's var_dump puts the value under the key; YAML a block under "password: |".
    dumped = ['array(2) {', '  ["password"]=>', '  string(10) "Zq9xW3vKp7"', '  ["user"]=>',
              '  string(3) "bob"', '}']  # fmt: skip
    out = redact_lines(dumped)
    assert out[2] == "  " + MASK and out[4] == '  string(3) "bob"'
    assert redact_lines(["password: |", "  Zq9xW3vKp7", "next: 1"]) == [
        "password: |", "  " + MASK, "next: 1"
    ]  # fmt: skip


# -- known values, in every encoding the redactor claims ---------------------

ENCODINGS: dict[str, Callable[[str], str]] = {
    "plain": lambda s: s,
    "percent": lambda s: quote(s, safe=""),
    "percent, / kept": lambda s: quote(s),
    "percent, lowercase": lambda s: re.sub(
        r"%[0-9A-F]{2}", lambda m: m[0].lower(), quote(s, safe="")
    ),
    "form (+ for space)": lambda s: quote_plus(s, safe=""),
    "percent twice": lambda s: quote(quote(s, safe=""), safe=""),
    "json": lambda s: json.dumps(s)[1:-1],
    "json, ascii only": lambda s: json.dumps(s, ensure_ascii=True)[1:-1],
    "json, not ascii": lambda s: json.dumps(s, ensure_ascii=False)[1:-1],
    "json in a url": lambda s: quote(json.dumps({"v": s}), safe=""),
    "python repr": lambda s: repr(s)[1:-1],
    "html": lambda s: html.escape(s),
    "hex": lambda s: s.encode().hex(),
}


def _base64_core(encoded: str, before: bytes, secret: bytes) -> str:
    """The characters of a base64 text made only of ``secret``'s bits."""
    start, end = len(before), len(before) + len(secret)
    return encoded[-(-start * 8 // 6) : end * 8 // 6]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_a_known_value_is_hidden_in_each_encoding(encoding: str) -> None:
    secret = "p@ss w/rd+é&<\"x'\\"
    shown = ENCODINGS[encoding](secret)
    out = redact(f"GET /x?a=1&v={shown}&b=2 HTTP/1.1", [secret])
    assert shown not in out and MASK in out


@pytest.mark.parametrize("alphabet", [base64.b64encode, base64.urlsafe_b64encode])
@pytest.mark.parametrize("offset", [0, 1, 2])
def test_a_known_value_is_hidden_inside_base64_of_a_line(
    alphabet: Callable[[bytes], bytes], offset: int
) -> None:
    secret = "Zq9x/W3vK+p7Lm2Rt8"
    before = b"x" * offset + b'{"user": "bot", "pass": "'
    encoded = alphabet(before + secret.encode() + b'"}').decode()
    out = redact("payload " + encoded.rstrip("="), [secret])
    assert _base64_core(encoded, before, secret.encode()) not in out


def test_each_line_of_a_multi_line_value_is_hidden() -> None:
    value = "-----BEGIN KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU\n-----END KEY-----"
    assert "b3BlbnNzaC1rZXktdjEAAAAABG5vbmU" not in redact(
        "x b3BlbnNzaC1rZXktdjEAAAAABG5vbmU", [value]
    )


SECRETS = st.text(min_size=8, max_size=40).filter(lambda s: s == s.strip() and "\n" not in s)
# Text that surrounds a value in a log line, in any of the same encodings.
CONTEXT = st.text(max_size=40)


@given(SECRETS, st.sampled_from(sorted(ENCODINGS)), CONTEXT, CONTEXT)
# A value that itself holds an escape (%00), escaped again by JSON.
@example(secret="0000%00\x1b", encoding="json", before="", after="")
def test_a_known_value_never_survives_in_any_claimed_encoding(
    secret: str, encoding: str, before: str, after: str
) -> None:
    assume(secret not in before + after)
    shown = ENCODINGS[encoding](secret)
    line = ENCODINGS[encoding](before) + shown + ENCODINGS[encoding](after)
    out = redact(line.replace("\n", " "), [secret])
    assert shown not in out
    for decode in (unquote, unquote_plus, html.unescape, lambda s: unquote(unquote(s))):
        assert secret not in decode(out)


@given(SECRETS, CONTEXT, CONTEXT, st.booleans())
def test_a_known_value_never_survives_in_base64_of_a_line(
    secret: str, before: str, after: str, urlsafe: bool
) -> None:
    assume(len(secret.encode()) >= 8 and secret not in before + after)
    head = before.encode()
    encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    encoded = encode(head + secret.encode() + after.encode()).decode()
    out = redact("data: " + encoded, [secret])
    assert _base64_core(encoded, head, secret.encode()) not in out
