"""Remove secrets from text before it reaches any chat.

Over-redaction is acceptable, leaking is not: the patterns prefer to hide a
little too much of a line (the rest of a ``Cookie:`` header, a whole
``Authorization:`` value) over guessing where a secret ends.

Every pattern runs in linear time (possessive quantifiers, anchored starts):
log lines come from the Internet (an access log records any URL someone
requests), and a backtracking pattern would let one long line stall the bot.
Lines are also cut to :data:`MAX_LINE` characters first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from urllib.parse import quote, quote_plus

MASK = "[REDACTED]"
MAX_LINE = 4000

_SECRET_KEY = re.compile(
    r"(?i)pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|apikey|access[_-]?key"
    r"|private[_-]?key|credential|auth|session[_-]?id|sessid|signature|cookie"
)
_FLAG_WORDS = r"pass(?:word|wd)?|secret|token|api-?key|auth[\w-]*|credentials?|private-key"

# key = value, key: value, "key": "value", \"key\": \"value\" (JSON inside JSON),
# auth=('user', 'pass'). The key is taken whole (possessive, not backtracked)
# and judged by _SECRET_KEY; only then is its value matched, so the scan also
# looks inside the values of other keys (a JSON document logged as a string).
_KEY = re.compile(r"(?<![\w.-])(\\?[\"']?)([\w.-]{1,80}+)\1(\s*+[:=]\s*+)")
_VALUE = re.compile(
    r"\\\"(?:[^\"\\]|\\(?!\"))*+(?:\\\")?|\"[^\"]*+\"?|'[^']*+'?|\([^)]*+\)?|[^\s,;&]++"
)

_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    # Header-style lines: everything after the colon is the secret.
    (
        re.compile(
            r"(?i)\b((?:proxy-)?authorization|set-cookie|cookie|x-api-key|x-auth-token)"
            r"([\"']?\s*[:=]\s*).*"
        ),
        r"\1\2" + MASK,
    ),
    (re.compile(r"(?i)\b(bearer|basic|token)\s++[A-Za-z0-9._~+/=-]{6,}+"), r"\1 " + MASK),
    # Credentials in URLs: scheme://user:password@host or scheme://token@host.
    (re.compile(r"(?i)(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*+://)[^\s/@]*+@"), r"\1" + MASK + "@"),
    # Well-known token shapes, wherever they appear.
    (re.compile(r"\b(?:glpat|gldt|glrt|glptt)-[A-Za-z0-9_-]{8,}+"), MASK),
    (re.compile(r"\bxox[abposre]-[A-Za-z0-9-]{8,}+|\bxapp-[A-Za-z0-9-]{8,}+"), MASK),
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{16,}+|\bgithub_pat_[A-Za-z0-9_]{16,}+"), MASK),
    (re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), MASK),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{4,}+\.[A-Za-z0-9_-]{4,}+\.[A-Za-z0-9_-]{4,}+"), MASK),
    (re.compile(r"\bsk-[A-Za-z0-9_-]{16,}+"), MASK),
    (re.compile(r"/bot\d{5,}+:[A-Za-z0-9_-]{16,}+"), "/bot" + MASK),  # Telegram bot API
    # Command-line flags: --password hunter2, --token=abc.
    (re.compile(r"(?i)(--(?:" + _FLAG_WORDS + r"))(=|\s++)(?!-)\S++"), r"\1\2" + MASK),
)

# mysql -pSECRET / -p'SECRET': only on lines that run a MySQL client, since
# -p means other things elsewhere (find -print, ssh -p 22).
_MYSQL = re.compile(r"(?i)\b(?:mysql|mariadb|mysqldump|mysqladmin|sql)\b")
_MYSQL_PASSWORD = re.compile(r"(?<!\S)-p(?=[^\s-])(?:'[^']*+'?|\"[^\"]*+\"?|\S++)")

_BEGIN_KEY = re.compile(r"-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY( BLOCK)?-----")
_END_KEY = re.compile(r"-----END [A-Z0-9 ]{0,40}PRIVATE KEY( BLOCK)?-----")
_WHOLE_KEY = re.compile(_BEGIN_KEY.pattern + r".*?(?:" + _END_KEY.pattern + r"|\Z)", re.DOTALL)
# A line that is nothing but a long base64 run: key material or a token dump.
_BASE64_BLOB = re.compile(r"^\s*[A-Za-z0-9+/]{40,}+={0,2}\s*$")


def _mask_secret_values(text: str) -> str:
    out: list[str] = []
    done = 0
    for key in _KEY.finditer(text):
        if key.start() < done or _SECRET_KEY.search(key.group(2)) is None:
            continue
        value = _VALUE.match(text, key.end())
        if value is None:
            continue
        out.append(text[done : key.end()])
        out.append(MASK)
        done = value.end()
    out.append(text[done:])
    return "".join(out)


def _literal_forms(secret: str) -> set[str]:
    """How a known secret may appear in a log: as is, URL-encoded, JSON-escaped."""
    forms = {secret, quote(secret, safe=""), quote_plus(secret, safe=""), json.dumps(secret)[1:-1]}
    return {f for f in forms if len(f) >= 6}


def _known_secrets_rule(known_secrets: Iterable[str]) -> Callable[[str], str]:
    forms = sorted(
        {f for s in known_secrets if len(s) >= 6 for f in _literal_forms(s)}, key=len, reverse=True
    )
    if not forms:
        return lambda text: text
    pattern = re.compile("|".join(re.escape(f) for f in forms))
    return lambda text: pattern.sub(MASK, text)


def _redact_one(text: str, known: Callable[[str], str]) -> str:
    if len(text) > MAX_LINE:
        text = text[:MAX_LINE] + " … (line cut)"
    text = _WHOLE_KEY.sub(MASK + " (private key)", text)
    text = known(text)
    text = _mask_secret_values(text)
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    if _MYSQL.search(text):
        text = _MYSQL_PASSWORD.sub("-p" + MASK, text)
    if _BASE64_BLOB.match(text):
        return MASK + " (encoded data)"
    return text


def redact(text: str, known_secrets: Iterable[str] = ()) -> str:
    """``text`` with every secret we can recognise replaced by ``[REDACTED]``.

    ``known_secrets`` are literal values (a tool's envvar values) to hide
    wherever they appear, also URL-encoded or JSON-escaped; values shorter
    than 6 characters are ignored because masking them would shred words.
    """
    return _redact_one(text, _known_secrets_rule(known_secrets))


def redact_lines(lines: Iterable[str], known_secrets: Iterable[str] = ()) -> list[str]:
    """Redact log lines, hiding private-key blocks that span several lines."""
    return [line for line in redact_positions(lines, known_secrets) if line is not None]


def redact_positions(lines: Iterable[str], known_secrets: Iterable[str] = ()) -> list[str | None]:
    """One entry per input line: its redacted text, or ``None`` where a key block hides it.

    A window of lines may start inside a key (only its END shows): then
    everything before that END is key material and is hidden too.
    """
    known = _known_secrets_rule(known_secrets)
    items = list(lines)
    out: list[str | None] = []
    first_end = next((i for i, line in enumerate(items) if _END_KEY.search(line)), None)
    first_begin = next((i for i, line in enumerate(items) if _BEGIN_KEY.search(line)), None)
    start = 0
    if first_end is not None and (first_begin is None or first_end < first_begin):
        out.extend([None] * first_end)
        out.append(MASK + " (private key)")
        start = first_end + 1
    in_key = False
    for line in items[start:]:
        if in_key:
            out.append(None)
            if _END_KEY.search(line):
                in_key = False
            continue
        begin = _BEGIN_KEY.search(line)
        if begin and not _END_KEY.search(line, begin.end()):
            out.append(_redact_one(line[: begin.start()], known) + MASK + " (private key)")
            in_key = True
            continue
        out.append(_redact_one(line, known))
    return out
