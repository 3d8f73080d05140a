"""Which names (of keys, fields, arguments, headers, XML elements) hold secrets."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from bot.redact._rule import mask_spans

# Searched inside a name, case-insensitively: DB_PASSWORD, lgpassword, consumerSecret,
# X-Api-Key, enwikiSession, PHPSESSID. Over-matching only hides a little more.
_SECRET_PART = re.compile(
    r"(?i)pass(?!ed\b|es\b|ing|enger|age)(?:word|wd|phrase|wort)?|pwd|passwd"
    r"|contrase[ñn]a|senha|wachtwoord|mot_?de_?passe"
    r"|secret|token|credential|creds?\b|auth(?!or)|session|sessid|signature|cookie"
    r"|verifier|webhook|salt\b|remember_|conn(?:ection)?_?str"
)
# Matched against the whole name: names that are secrets only as a whole word.
_SECRET_WHOLE = re.compile(r"(?i)(?:\w*[\W_])?(?:sig|dsn|appid|pw)|.*key")


@lru_cache(maxsize=4096)
def is_secret_name(name: str) -> bool:
    """Whether a value stored under ``name`` should be hidden."""
    if len(name) > 80:
        return False
    return _SECRET_PART.search(name) is not None or _SECRET_WHOLE.fullmatch(name) is not None


# Lowercase substrings one of which every secret name contains (a rule's hints).
SECRET_NAME_HINTS = (
    *("pass", "pwd", "pw", "contrase", "senha", "wachtwoord", "mot", "secret", "token"),
    *("cred", "auth", "sess", "sig", "cookie", "verifier", "webhook", "salt", "remember"),
    *("conn", "key", "dsn", "appid"),
)


ValueAfter = Callable[[str, re.Match[str]], "re.Match[str] | None"]


def mask_after_secret_names(text: str, names: re.Pattern[str], value_after: ValueAfter) -> str:
    """Hide the value that follows each secret name ``names`` finds (its group
    ``name``); ``value_after`` finds where that value ends. Names inside a value
    already hidden are skipped."""
    spans: list[tuple[int, int]] = []
    done = 0
    for found in names.finditer(text):
        if found.start() < done or not is_secret_name(found.group("name")):
            continue
        value = value_after(text, found)
        if value is not None:
            spans.append((found.end(), value.end()))
            done = value.end()
    return mask_spans(text, spans)
