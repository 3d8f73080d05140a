"""Secrets recognised by their own shape: provider prefixes, JWTs, header values,
and quoted strings too random to be words."""

from __future__ import annotations

import math
import re
from collections import Counter

from bot.redact._rule import MASK, Rule, keep_group_rule, pattern_rule


def _token(name: str, pattern: str, *hints: str) -> Rule:
    """A provider's token, wherever it appears (not inside a longer word)."""
    return pattern_rule(name, r"(?<![\w-])(?:" + pattern + r")(?![\w-])", hints=hints)


# The prefixes providers put on their keys so that scanners like this one find them.
TOKEN_RULES = (
    _token(
        "gitlab token", r"gl(?:pat|dt|rt|ptt|oas|cbt|soat|ft|imt|agent|ffct|wt)-[\w-]{8,}+", "gl"
    ),
    _token("slack token", r"(?:xoxe\.)?xox[abposre]-[\w-]{8,}+|xapp-[\w-]{8,}+", "xox", "xapp-"),
    _token("github token", r"gh[pousr]_[A-Za-z0-9]{16,}+|github_pat_\w{16,}+", "gh", "github_pat_"),
    _token(
        "aws key id",
        r"(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA)[0-9A-Z]{16}",
        *("akia", "asia", "agpa", "aida", "aroa", "aipa", "anpa", "anva", "abia", "acca"),
    ),
    _token("jwt", r"eyJ[\w-]{4,}+\.[\w-]{4,}+\.[\w-]{4,}+", "eyj"),
    _token("openai or anthropic key", r"sk-[\w-]{16,}+", "sk-"),
    _token(
        "stripe key",
        r"[rsp]k_(?:live|test)_[0-9A-Za-z]{10,}+|whsec_[0-9A-Za-z]{16,}+",
        "_live_",
        "_test_",
        "whsec_",
    ),
    _token("google api key", r"AIza[\w-]{30,}+", "aiza"),
    _token(
        "google oauth",
        r"GOCSPX-[\w-]{20,}+|ya29\.[\w-]{20,}+|1//0[\w-]{30,}+",
        "gocspx-",
        "ya29.",
        "1//0",
    ),
    _token("pypi token", r"pypi-[\w-]{40,}+", "pypi-"),
    _token("npm token", r"npm_[A-Za-z0-9]{30,}+", "npm_"),
    _token("hugging face token", r"hf_[A-Za-z0-9]{30,}+", "hf_"),
    _token("sendgrid key", r"SG\.[\w-]{16,}+\.[\w-]{16,}+", "sg."),
    _token("mailgun key", r"key-[0-9a-f]{32}", "key-"),
    _token("twilio key", r"SK[0-9a-f]{32}", "sk"),
    _token("digitalocean token", r"do[opr]_v1_[0-9a-f]{64}", "_v1_"),
    _token("docker hub token", r"dckr_pat_[\w-]{20,}+", "dckr_pat_"),
    _token("shopify token", r"shp(?:at|ss|ca|pa)_[0-9a-fA-F]{32}", "shp"),
    _token("sentry token", r"sntry[su]_[\w=+/]{20,}+", "sntr"),
    _token("mapbox token", r"[ps]k\.eyJ[\w-]++\.[\w-]++", "k.eyj"),
    _token("atlassian token", r"ATATT3[\w=-]{40,}+", "atatt3"),
    _token("discord bot token", r"[MNO][\w-]{23,27}+\.[\w-]{6}\.[\w-]{27,40}+", "."),
    _token("telegram bot token", r"\d{6,12}+:[\w-]{30,}+", ":"),
)

# Quoted strings that look random: the idea of detect-secrets' entropy plugins
# (only quoted strings, so ordinary words and paths are left alone), with a
# limit that scales with the length, since a short string cannot reach a fixed one.
_QUOTED_RUN = re.compile(r"(?P<q>[\"'])(?P<s>[\w+/=.~-]{16,200}+)(?P=q)")
_HEX = re.compile(r"[0-9a-fA-F]++")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def looks_random(text: str) -> bool:
    """Whether ``text`` (16+ characters of one token) looks generated, not written."""
    if not any(c.isdigit() for c in text) or not any(c.isalpha() for c in text):
        return False
    if _UUID.fullmatch(text) or text.count(".") > 2 or text.count("/") > 1:
        return False  # ids, host names, paths
    alphabet = 16 if _HEX.fullmatch(text) else 64  # hex digests reach less entropy
    return _entropy(text) >= 0.8 * math.log2(min(len(text), alphabet))


def _mask_random_quoted(text: str) -> str:
    return _QUOTED_RUN.sub(
        lambda m: m.group("q") + MASK + m.group("q") if looks_random(m.group("s")) else m.group(0),
        text,
    )


# After the rules that read a name (token --password x): this one hides the word after
# an authorization scheme (Bearer x, API-Key x) or the word token.
BEARER = keep_group_rule(
    "bearer or basic",
    r"(?i)(\b(?:bearer|basic|token|api-?key)\s++)(?!-)[\w.~+/=-]{6,}+",
    hints=("bearer", "basic", "token", "apikey", "api-key"),
)

RULES = (
    *TOKEN_RULES,
    # Header lines: everything after the colon is the secret.
    keep_group_rule(
        "secret header",
        r"(?i)(\b(?:(?:proxy-)?authorization|set-cookie|cookie|x-api-key|x-auth-token)"
        r"[\"']?\s*+[:=]\s*+).*+",
        hints=("authorization", "cookie", "x-api-key", "x-auth-token"),
    ),
    Rule("random quoted string", _mask_random_quoted, hints=("'", '"')),
    # A line that is nothing but a long base64 run: key material or a token dump.
    pattern_rule("base64 line", r"^\s*+[A-Za-z0-9+/]{40,}+={0,2}\s*+$", MASK + " (encoded data)"),
)
