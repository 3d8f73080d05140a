"""The redaction corpus: no secret of any realistic log line survives, and ordinary
lines pass unchanged."""

from __future__ import annotations

import pytest

from bot.redact import redact, redact_lines
from tests.redaction.corpus import CorpusLine, leaked_part, leaks, load_clean, load_corpus

CORPUS = load_corpus()

# The classes issue 9 saw leaking, and the languages Toolforge tools are written in.
CLASSES = {
    "php-array", "php-define", "positional-call", "irc", "cli", "webhook", "cloud-key",
    "url-password", "session-cookie", "xml", "netrc", "ruby-rocket", "multi-word",
    "envvar-encoded", "long-line",
}  # fmt: skip
LANGUAGES = {"python", "php", "node", "java", "go", "shell", "perl", "ruby"}


def test_the_corpus_is_large_and_covers_every_class_and_language() -> None:
    assert len(CORPUS) >= 150
    assert CLASSES <= {entry.cls for entry in CORPUS}
    assert LANGUAGES <= {entry.lang for entry in CORPUS}
    for entry in CORPUS:
        for secret in entry.secrets:
            assert secret in entry.text, f"{entry.id}: the secret is not in its line"


@pytest.mark.parametrize("entry", CORPUS, ids=[f"{i}-{e.id}" for i, e in enumerate(CORPUS)])
def test_no_secret_survives(entry: CorpusLine) -> None:
    assert leaks(entry, redact_lines) == []
    # The same text through redact() (one string, split into lines inside).
    whole = redact(entry.text, entry.known)
    assert [leaked_part(s, entry.text, whole) for s in entry.secrets] == [None] * len(entry.secrets)


@pytest.mark.parametrize("line", load_clean())
def test_ordinary_lines_pass_unchanged(line: str) -> None:
    assert redact(line) == line


def test_a_leak_is_any_six_characters_of_the_secret_not_only_all_of_it() -> None:
    secret = "Zq9xW3vKp7Lm2Rt8"
    line = f"password={secret}"
    assert leaked_part(secret, line, "password=[REDACTED]") is None
    assert leaked_part(secret, line, "password=[REDACTED]m2Rt8x") is None  # 5 characters
    assert leaked_part(secret, line, "password=[REDACTED]Lm2Rt8") == "Lm2Rt8"
    assert leaked_part(secret, line, f"password={secret[:12]}") == secret[:12]
    # A piece that is also the line's own context (the user name) is not a leak.
    assert leaked_part("bot-s52341-pw", "user s52341 pass bot-s52341-pw", "user s52341") is None
