"""Secrets in command lines, IRC protocol lines and credential files.

``curl -u user:x``, ``mysql -px``, ``sshpass -p x``, ``--password x``,
``PASS x``, ``PRIVMSG NickServ :IDENTIFY x``, ``AUTHENTICATE <base64>``,
``.netrc`` and ``.pgpass`` lines.
"""

from __future__ import annotations

import re

from bot.redact._rule import MASK, Rule, keep_group_rule
from bot.redact._words import SECRET_NAME_HINTS, mask_after_secret_names

# The name without its dashes: names secret only as a whole word (--pw, --dsn, --appid)
# are judged on the word, as they are in an assignment.
_LONG_FLAG = re.compile(r"(?<!\S)--(?P<name>[\w.-]{1,60}+)\s++(?=[^\s-])")
_ARGUMENT = re.compile(r"'[^']*+'?|\"[^\"]*+\"?|\S++")


def _mask_flag_values(text: str) -> str:
    """``--password x``, ``--api-key x`` (``--password=x`` is an assignment)."""
    if "--" not in text:
        return text
    return mask_after_secret_names(text, _LONG_FLAG, lambda t, flag: _ARGUMENT.match(t, flag.end()))


# -p means a password only for these programs (elsewhere: find -print, ssh -p 22);
# -a only for redis-cli.
_P_PROGRAMS = re.compile(
    r"(?i)\b(?:mysql\w*|mariadb\w*|sshpass|twine|(?:docker|podman)\s++login|mongo\w*|sql)\b"
)
_P_FLAG = re.compile(r"(?<!\S)(-p)(?:\s++(?=[^\s-])|(?=[^\s-]))(?:'[^']*+'?|\"[^\"]*+\"?|\S++)")
_A_PROGRAM = re.compile(r"\bredis-cli\b")
_A_FLAG = re.compile(r"(?<!\S)(-a)\s*+(?:'[^']*+'?|\"[^\"]*+\"?|[^\s-]\S*+)")


def _mask_short_password_flags(text: str) -> str:
    if _P_PROGRAMS.search(text):
        text = _P_FLAG.sub(r"\1" + MASK, text)
    if _A_PROGRAM.search(text):
        text = _A_FLAG.sub(r"\1 " + MASK, text)
    return text


_NETRC_LINE = re.compile(r"(?i)\b(?:machine|default)\b")
_NETRC_LOGIN = re.compile(r"(?i)\blogin\b")
_NETRC_WORD = re.compile(r"(?i)(\b(?:password|passwd|account)\s++)\S++")
_PASSWORD_LINE = re.compile(r"(?i)^(\s*+(?:password|passwd)\s++)\S.*+")


def _mask_netrc(text: str) -> str:
    """``machine h login u password x`` on one line, or ``password x`` on its own."""
    if _NETRC_LINE.search(text) and _NETRC_LOGIN.search(text):
        text = _NETRC_WORD.sub(r"\1" + MASK, text)
    return _PASSWORD_LINE.sub(r"\1" + MASK, text)


_SASL_STEPS = r"(?:PLAIN|EXTERNAL|SCRAM-SHA-\d++(?:-PLUS)?|ECDSA-NIST256P-CHALLENGE|\+|\*)"

RULES = (
    Rule("long flag value", _mask_flag_values, SECRET_NAME_HINTS),
    Rule(
        "short password flag",
        _mask_short_password_flags,
        ("mysql", "mariadb", "sshpass", "twine", "login", "mongo", "sql", "redis-cli"),
    ),
    keep_group_rule(
        "user:password flag",
        r"(?<!\S)((?:-u|--user|--proxy-user|-U)(?:\s++|=)?)['\"]?[^\s:'\"]*+:[^\s'\"]++['\"]?",
        hints=("-u",),
    ),
    keep_group_rule(
        "toolforge envvars create",
        r"(?i)(\benvvars?\s++create\s++\S++\s++)\S.*+",
        hints=("envvar",),
    ),
    # IRC: what follows the services command is the account and password.
    keep_group_rule(
        "irc services login",
        r"(?i)((?:\bnickserv|/ns|\bq@cserve\S*+|\bauthserv\S*+|\buserserv)\b"
        r"[\s:'\",]{0,6}+(?:identify|id|auth|login|ghost|recover|regain|release|register)\b"
        r"\s*+)\S.*+",
        hints=("nickserv", "/ns", "q@cserve", "authserv", "userserv"),
    ),
    keep_group_rule("irc identify", r"(\bIDENTIFY\s++)\S.*+", hints=("identify",)),
    keep_group_rule(
        "irc pass",
        r"((?:^|[>:'\"]|(?i:\bsend(?:ing)?\b|\bsent\b))\s*+(?:PASS|OPER)\s++)\S.*+",
        hints=("pass", "oper"),
    ),
    keep_group_rule(
        "irc sasl",
        r"(\bAUTHENTICATE\s++)(?!" + _SASL_STEPS + r"(?:\s|$))\S++",
        hints=("authenticate",),
    ),
    Rule("netrc", _mask_netrc, hints=("password", "passwd", "account")),
    keep_group_rule("pgpass", r"^([^:\s]++:(?:\d++|\*):[^:\s]++:[^:\s]++:)\S.*+", hints=(":",)),
)
