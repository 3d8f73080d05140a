"""Secrets stored under a name: ``key = value`` in every language's shape.

``password=x``, ``"api_key": "x"``, ``'password' => 'x'`` (PHP, Perl),
``:password => "x"`` (Ruby), ``[password] => x`` (print_r), ``Password:x``
(Go's ``%+v``), ``\\"token\\": \\"x\\"`` (JSON inside JSON),
``define('DB_PASSWORD', 'x')``, ``('oauth_token', 'x')`` pairs,
``name="password" value="x"`` and ``<password>x</password>``.
"""

from __future__ import annotations

import re

from bot.redact._rule import MASK, Rule, mask_spans
from bot.redact._words import SECRET_NAME_HINTS, is_secret_name, mask_after_secret_names

# The name is taken whole (possessive, not backtracked) and judged by
# is_secret_name; only then is its value matched, so the scan also looks
# inside the values of other keys (a JSON document logged as a string).
# After the name: an optional closing quote and/or bracket (print_r's
# [password], var_dump's ["password"]), then the separator.
_KEY = re.compile(
    r"(?<![\w.-])(?P<name>[\w.-]{1,80}+)(?:\\?[\"'])?\]?"
    r"(?P<sep>\s*+(?:=>|->|:=|[!=]?={1,2}|:(?!//))\s*+)"
)
_QUOTED = (
    r"[bBuUrR]?(?:\\\"(?:[^\"\\]|\\(?!\"))*+(?:\\\")?"  # \"...\" (JSON inside JSON)
    r"|\"(?:[^\"\\]|\\.)*+\"?|'(?:[^'\\]|\\.)*+'?)"  # "..." or '...', unclosed to the end
)
_VALUE = re.compile(_QUOTED + r"|\([^)]*+\)?|\[[^\]]*+\]?")
# An unquoted value in a URL query or form body ends at & (no spaces there).
_QUERY_VALUE = re.compile(r"[^\s&#\"']++")
# Elsewhere an unquoted value may be several words (password = correct horse
# battery): it runs on until a word that looks like the next key (user=,
# "host":), so logfmt and Go's %+v keep their other fields.
_BARE_VALUE = re.compile(
    r"(?![{\s]|[|>][-+]?\s*$)"  # not a nested mapping, nor YAML's block sign (value below)
    r"(?!(?:YES|NO)\)(?!\w))"  # MySQL's "(using password: YES)" says no secret
    r"\S++(?:[ \t]++(?![\"']?[\w.-]++[\"']?\s*+(?:=|:(?!//)))\S++)*+"
)


def _assignment_value(text: str, key: re.Match[str]) -> re.Match[str] | None:
    value = _VALUE.match(text, key.end())
    if value is None:
        in_query = key.start() > 0 and text[key.start() - 1] in "?&"
        value = (_QUERY_VALUE if in_query else _BARE_VALUE).match(text, key.end())
    return value


_YAML_BLOCK = re.compile(r"(?<=[:=])\s*+[|>][-+]?$")


def dangling_secret_key(line: str) -> bool:
    """Whether ``line`` ends with a secret name and a separator but no value:
    PHP's var_dump (``["password"]=>``) and YAML (``password:``) put it on the next line."""
    stripped = _YAML_BLOCK.sub("", line.rstrip())
    for key in _KEY.finditer(stripped):
        if key.end() == len(stripped) and is_secret_name(key.group("name")):
            return True
    return False


# define('DB_PASSWORD', 'x'), ('oauth_token', 'x'), config.set('auth', 'password', 'x'),
# os.environ.get('API_TOKEN', 'x'): a literal right after a quoted secret name. Only
# the name and comma are consumed, so the masked literal can name the next one.
_QUOTED_NAME_COMMA = re.compile(r"(?P<q>[\"'])(?P<name>[\w.-]{1,80}+)(?P=q)\s*+,\s*+")
_LITERAL = re.compile(_QUOTED + r"|[^\s,)]++")


def _mask_literal_after_name(text: str) -> str:
    spans = []
    for pair in _QUOTED_NAME_COMMA.finditer(text):
        if is_secret_name(pair.group("name")):
            value = _LITERAL.match(text, pair.end())
            if value is not None:
                spans.append((value.start(), value.end()))
    return mask_spans(text, spans)


# name="password" value="x", {"name":"DB_PASSWORD","value":"x"},
# Cookie[name=JSESSIONID, value=x], &{Name:session Value:x}.
_NAMED_VALUE = re.compile(
    r"(?i)\b(?:name|key)[\"']?\s*+[=:]\s*+(?P<q>[\"']?)(?P<name>[\w.-]{1,80}+)(?P=q)"
    r"[\s,;]*+[\"']?value[\"']?\s*+[=:]\s*+"
)
_NAMED_VALUE_END = re.compile(_QUOTED + r"|[^\s,;}\]>/]++")


# <password>x</password>, <wsse:Password ...>x<, <entry key="api.token">x<,
# and XML-RPC's <name>token</name><value><string>x</string></value>.
_ELEMENT = re.compile(r"<(?P<tag>[\w:.-]{1,80}+)(?P<attrs>(?:\s[^<>]*+)?)>(?P<content>[^<]*+)")
_NAMING_ATTR = re.compile(r"(?i)\b(?:name|key|id)\s*+=\s*+[\"']([\w.-]{1,80}+)[\"']")
_RPC_VALUE = re.compile(r"(?i)\s*+</name>\s*+<value>(?:[^<]|<(?!/value>))*+")


def _mask_xml_elements(text: str) -> str:
    if "<" not in text:
        return text
    out: list[str] = []
    done = 0
    for element in _ELEMENT.finditer(text):
        if element.start() < done:
            continue
        tag = element.group("tag").rsplit(":", 1)[-1]
        content = element.group("content")
        if tag.lower() == "name" and is_secret_name(content.strip()):
            rpc = _RPC_VALUE.match(text, element.end())
            if rpc is not None:  # XML-RPC: the value follows in its own element
                out.append(text[done : element.end()] + "</name><value>" + MASK)
                done = rpc.end()
            continue
        naming = _NAMING_ATTR.search(element.group("attrs"))
        secret = is_secret_name(tag) or (naming is not None and is_secret_name(naming.group(1)))
        if secret and content:
            out.append(text[done : element.start("content")])
            out.append(MASK)
            done = element.end()
    out.append(text[done:])
    return "".join(out)


RULES = (
    # Before assignments: those would hide the name (key="api.token") these judge by.
    Rule("xml element", _mask_xml_elements, SECRET_NAME_HINTS),
    Rule(
        "named value",
        lambda text: mask_after_secret_names(
            text, _NAMED_VALUE, lambda t, pair: _NAMED_VALUE_END.match(t, pair.end())
        ),
        SECRET_NAME_HINTS,
    ),
    Rule("literal after a secret name", _mask_literal_after_name, SECRET_NAME_HINTS),
    Rule(
        "assignment",
        lambda text: mask_after_secret_names(text, _KEY, _assignment_value),
        SECRET_NAME_HINTS,
    ),
)
