"""Secrets in URLs and DSNs: ``scheme://user:password@host``, webhook paths, Go DSNs."""

from __future__ import annotations

import re

from bot.redact._rule import MASK, Rule, keep_group_rule

# A URL ends at whitespace, a quote or an angle bracket.
_TOKENS = re.compile(r"([\s'\"<>]++)")
_SCHEME = re.compile(r"(?i)(?<![a-z0-9+.-])[a-z][a-z0-9+.-]{0,30}+://")
_PORT = re.compile(r"[^:/?#@]*+:\d{1,5}(?:[/?#]|$)")


def _mask_userinfo(token: str) -> str:
    scheme = _SCHEME.search(token)
    if scheme is None:
        return token
    rest = token[scheme.end() :]
    first_at = rest.find("@")
    if first_at < 0:
        return token
    userinfo = rest[:first_at]
    if ":" in userinfo and not _PORT.match(rest):
        # user:password, where an unencoded password may hold @ and /: hide up to
        # the last @ (a little of the host too, if that @ was in the path).
        at = rest.rfind("@")
    elif any(c in userinfo for c in "/?#"):
        return token  # https://host/path?mail=a@b: the @ is not in the authority
    else:
        at = first_at  # a token alone: https://TOKEN@host (Sentry DSNs)
    return token[: scheme.end()] + MASK + rest[at:]


def _mask_url_credentials(text: str) -> str:
    if "@" not in text or "://" not in text:
        return text
    return "".join(_mask_userinfo(part) for part in _TOKENS.split(text))


RULES = (
    Rule("url credentials", _mask_url_credentials, hints=("://",)),
    # Go's MySQL DSN: user:password@tcp(host:3306)/db (no scheme).
    keep_group_rule("go dsn", r"(?<![^\s'\"(=])([\w.-]{1,80}+:)[^\s'\"]*?(?=@(?:tcp|unix|udp)\()"),
    keep_group_rule(
        "slack webhook",
        r"(/services/T[A-Z0-9]{6,12}+/B[A-Z0-9]{6,12}+/"
        r"|(?i:hooks\.slack\.com/(?:workflows|triggers)/))[\w/-]++",
        hints=("/services/", "hooks.slack.com"),
    ),
    keep_group_rule("discord webhook", r"(?i)(/webhooks/\d{5,25}+/)[\w-]++", hints=("/webhooks/",)),
    keep_group_rule("teams webhook", r"(?i)(/webhookb2/)[^\s'\"<>]++", hints=("/webhookb2/",)),
    keep_group_rule("incoming webhook", r"(/hooks/)[A-Za-z0-9]{16,}+", hints=("/hooks/",)),
    keep_group_rule("telegram bot api", r"(/bot)\d{5,}+:[\w-]{16,}+", hints=("/bot",)),
)
