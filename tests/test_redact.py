"""The secret redactor: what it must hide, what it must leave, and that it never leaks."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.redact import MASK, redact, redact_lines

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
    import time

    line = "GET /" + "a.b-c_d" * 6000 + " HTTP/1.1"
    started = time.perf_counter()
    out = redact(line)
    assert time.perf_counter() - started < 2.0
    assert out.endswith("… (line cut)") and len(out) < 4100


TEMPLATES = [
    "Authorization: Bearer {s}",
    "password={s}",
    'x "api_key": "{s}" y',
    "https://user:{s}@host.example/",
    "Cookie: session={s}",
    "token: {s}",
    "--password {s}",
    "secret = {s}",
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
