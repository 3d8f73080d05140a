"""Credentials passed by position: ``site.login('Bot', 'x')``, ``pymysql.connect(host,
user, 'x')``, ``new PDO($dsn, 'user', 'x')``, ``ConsumerToken('key', 'secret')``.

Tracebacks show the source line and PHP stack frames show the arguments, so
the literal arguments of calls whose name says "credentials" are hidden. A
first argument that names a place (host, DSN, URL) stays; keyword arguments
are left to the assignment rule, which judges them by name.
"""

from __future__ import annotations

import re

from bot.redact._rule import Rule, mask_spans

_CALL = re.compile(r"(?<!\w)(?P<name>[A-Za-z_]\w{0,79}+)\s*+\(")
# Judged against the whole name (mysqli_connect, getConnection, OAuth1Session, ...).
_CREDENTIAL_CALL = re.compile(
    r"(?i)\w*?(?:log_?in|sign_?in|connect|connection|engine|pool|oauth\w*|token|consumer"
    r"|botpassword|credentials?|auth|password|identify|pdo|mysqli)"
)
# PHP frames: PDO->__construct(...), Client\Consumer->__construct(...).
_CONSTRUCTOR_OWNER = re.compile(
    r"(?i)(?:pdo|mysqli|consumer|token|auth\w*|credentials?|connection|client|login)"
    r"(?:->|::)$"
)
_TOKEN = re.compile(
    r"(?P<str>[bBuUrRfF]{0,2}(?P<q>[\"'])(?:\\.|(?!(?P=q))[^\\])*+(?P=q)?)"
    r"|(?P<open>[(\[{])|(?P<close>[)\]}])|(?P<comma>,)|(?P<other>[^\"'()\[\]{},]++)"
)
_NAMED_ARGUMENT = re.compile(r"[\w\"']\s*+(?:=|:|=>)\s*+$")
_PLACE = re.compile(
    r"(?i)[bu]?[\"'](?:(?:[\w-]+\.)+[a-z]{2,}(?::\d+)?|[a-z][\w+.-]*://\S*|jdbc:\S*"
    r"|dbi:\S*|\w+:(?:host|dbname|database|unix_socket)=\S*|localhost|127\.0\.0\.1)[\"']"
)


def _is_credential_call(text: str, call: re.Match[str]) -> bool:
    name = call.group("name")
    if name == "__construct":
        owner = text[max(0, call.start() - 60) : call.start()]
        return _CONSTRUCTOR_OWNER.search(owner) is not None
    return _CREDENTIAL_CALL.fullmatch(name) is not None


def _argument_spans(text: str, start: int) -> tuple[list[tuple[int, int]], int]:
    """The literal arguments to hide in the call whose ``(`` ends before ``start``,
    and where its argument list ends."""
    spans: list[tuple[int, int]] = []
    depth = 0
    argument = 0
    first_literal: tuple[int, int] | None = None
    pos = start
    for token in _TOKEN.finditer(text, start):
        pos = token.end()
        if token.group("open"):
            depth += 1
        elif token.group("close"):
            if depth == 0:
                break
            depth -= 1
        elif token.group("comma"):
            if depth == 0:
                argument += 1
        elif token.group("str"):
            if _NAMED_ARGUMENT.search(text, max(start, token.start() - 40), token.start()):
                continue
            span = (token.start(), token.end())
            if argument == 0 and depth == 0 and first_literal is None:
                first_literal = span
            else:
                spans.append(span)
    if first_literal is not None and not (
        argument > 0
        and first_literal[1] - first_literal[0] < 300
        and _PLACE.fullmatch(text, *first_literal) is not None
    ):
        spans.append(first_literal)
    return spans, pos


def _mask_call_arguments(text: str) -> str:
    if "(" not in text:
        return text
    spans: list[tuple[int, int]] = []
    done = 0
    for call in _CALL.finditer(text):
        if call.start() < done or not _is_credential_call(text, call):
            continue
        found, done = _argument_spans(text, call.end())
        spans.extend(found)
    return mask_spans(text, spans)


RULES = (Rule("credentials by position", _mask_call_arguments, hints=("(",)),)
