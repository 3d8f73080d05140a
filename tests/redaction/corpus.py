"""The redaction corpus: realistic secret-bearing log lines, read from ``corpus.yaml``.

Used by the corpus test and by ``tests/bench/bench_redact.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).parent
# The shortest piece of a secret that counts as leaked when it survives on its own.
MIN_FRAGMENT = 6


@dataclass(frozen=True)
class CorpusLine:
    text: str  # may hold several lines (a var_dump, a .netrc), redacted line by line
    secrets: tuple[str, ...]
    cls: str
    lang: str
    source: str
    known: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return f"{self.cls}:{self.lang}:{self.source}"


def load_corpus() -> list[CorpusLine]:
    raw = yaml.safe_load((HERE / "corpus.yaml").read_text())
    lines = []
    for item in raw:
        pad = item.get("pad")
        text = (pad["text"] * pad["times"] if pad else "") + item["line"]
        secrets = item.get("secrets") or [item["secret"]]
        lines.append(
            CorpusLine(
                text=text,
                secrets=tuple(secrets),
                cls=item["class"],
                lang=item["lang"],
                source=item["source"],
                known=tuple(item.get("known", ())),
            )
        )
    return lines


def load_clean() -> list[str]:
    return [str(line) for line in yaml.safe_load((HERE / "clean.yaml").read_text())]


def leaked_part(secret: str, original: str, redacted: str) -> str | None:
    """A piece of ``secret`` (:data:`MIN_FRAGMENT` characters or more, or all of a
    shorter one) that survives in ``redacted``, else ``None``.

    A piece that also appears in the line outside the secret (a user name that
    is part of the password) is context, not a leak.
    """
    context = original.replace(secret, "\0")
    size = min(MIN_FRAGMENT, len(secret))
    for start in range(len(secret) - size + 1):
        piece = secret[start : start + size]
        if piece in redacted and piece not in context:
            end = start + size  # grow it, to show how much leaked
            while end < len(secret) and secret[start : end + 1] in redacted:
                end += 1
            return secret[start:end]
    return None


def redact_entry(
    entry: CorpusLine, redact_lines: Callable[[Iterable[str], Iterable[str]], list[str]]
) -> str:
    return "\n".join(redact_lines(entry.text.split("\n"), entry.known))


def leaks(
    entry: CorpusLine, redact_lines: Callable[[Iterable[str], Iterable[str]], list[str]]
) -> list[str]:
    """Each piece of each of the entry's secrets that survives redaction."""
    out = redact_entry(entry, redact_lines)
    found = (leaked_part(secret, entry.text, out) for secret in entry.secrets)
    return [piece for piece in found if piece is not None]
