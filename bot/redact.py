"""Remove secrets from text before it reaches any chat.

Over-redaction is acceptable, leaking is not: the patterns prefer to hide a
little too much of a line (the rest of a ``Cookie:`` header, a whole
``Authorization:`` value) over guessing where a secret ends.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "[REDACTED]"

_SECRET_WORDS = (
    r"pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|apikey|access[_-]?key"
    r"|private[_-]?key|client[_-]?secret|credentials?|auth|session[_-]?id|sessid|signature"
)

_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    # Header-style lines: everything after the colon is the secret.
    (
        re.compile(
            r"(?i)\b((?:proxy-)?authorization|set-cookie|cookie|x-api-key|x-auth-token)"
            r"(\s*[:=]\s*).*"
        ),
        r"\1\2" + MASK,
    ),
    (re.compile(r"(?i)\b(bearer|basic|token)\s+[A-Za-z0-9._~+/=-]{6,}"), r"\1 " + MASK),
    # Credentials in URLs: scheme://user:password@host or scheme://token@host.
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^\s/@]*@"), r"\1" + MASK + "@"),
    # Well-known token shapes, wherever they appear.
    (re.compile(r"\b(?:glpat|gldt|glrt|glptt)-[A-Za-z0-9_-]{8,}"), MASK),
    (re.compile(r"\bxox[abposre]-[A-Za-z0-9-]{8,}|\bxapp-[A-Za-z0-9-]{8,}"), MASK),
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{16,}|\bgithub_pat_[A-Za-z0-9_]{16,}"), MASK),
    (re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), MASK),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}"), MASK),
    (re.compile(r"\bsk-[A-Za-z0-9_-]{16,}"), MASK),
    # key=value, key: value, "key": "value" where the key names a secret.
    (
        re.compile(
            r"(?i)([\"']?)([\w.-]*(?:" + _SECRET_WORDS + r")[\w.-]*)\1(\s*[:=]\s*)"
            r"(\"[^\"]*\"?|'[^']*'?|[^\s,;&]+)"
        ),
        r"\1\2\1\3" + MASK,
    ),
    # Command-line flags: --password hunter2, -p'hunter2' (mysql style).
    (re.compile(r"(?i)(--(?:" + _SECRET_WORDS + r")[\w-]*)(\s+)(?!-)\S+"), r"\1\2" + MASK),
)

_BEGIN_KEY = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----")
_END_KEY = re.compile(r"-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----")
_WHOLE_KEY = re.compile(
    _BEGIN_KEY.pattern + r".*?(" + _END_KEY.pattern + r"|\Z)",
    re.DOTALL,
)


def redact(text: str, known_secrets: Iterable[str] = ()) -> str:
    """``text`` with every secret we can recognise replaced by ``[REDACTED]``.

    ``known_secrets`` are literal values (a tool's envvar values) to hide
    wherever they appear; values shorter than 6 characters are ignored
    because masking them would shred ordinary words.
    """
    text = _WHOLE_KEY.sub(MASK + " (private key)", text)
    for literal in sorted({s for s in known_secrets if len(s) >= 6}, key=len, reverse=True):
        text = text.replace(literal, MASK)
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


def redact_lines(lines: Iterable[str], known_secrets: Iterable[str] = ()) -> list[str]:
    """Redact log lines, hiding private-key blocks that span several lines."""
    secrets = tuple(known_secrets)
    out: list[str] = []
    in_key = False
    for line in lines:
        if in_key:
            if _END_KEY.search(line):
                in_key = False
            continue
        begin = _BEGIN_KEY.search(line)
        if begin and not _END_KEY.search(line, begin.end()):
            out.append(redact(line[: begin.start()], secrets) + MASK + " (private key)")
            in_key = True
            continue
        out.append(redact(line, secrets))
    return out
