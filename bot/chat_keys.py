"""Chat keys (``platform:user_id``): one spelling per person, and what a valid one looks like.

IRC services accounts are compared the way the network compares them: with
the rfc1459 casemapping Libera (Solanum) advertises and Atheme applies to
account names, so ``irc:CaseUser`` and ``irc:caseuser`` are one identity.
Keys are normalised wherever they are made or read, so the store never
holds two links that differ only by case.
"""

from __future__ import annotations

import re

_RFC1459 = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ[]\\~", "abcdefghijklmnopqrstuvwxyz{}|^")

# What each platform's verified user id looks like.
_USER_IDS = {
    # Services account names: nick characters (letters, digits, []\`_^{|}-), not a digit first.
    "irc": (
        re.compile(r"^[A-Za-z\[\]\\`_^{|}][A-Za-z0-9\[\]\\`_^{|}-]{0,49}$"),
        "a services account",
    ),
    "zulip": (re.compile(r"^[0-9]{1,18}$"), "a numeric Zulip user id"),
    # The workspace, then the user: another workspace's user is someone else.
    "slack": (
        re.compile(r"^[TE][A-Z0-9]{2,20}:[UWB][A-Z0-9]{2,20}$"),
        "a Slack workspace and user id such as T012AB3CD:U012AB3CD",
    ),
}


def irc_lower(text: str) -> str:
    """Case-fold a nick, channel or account the way the server compares them (rfc1459)."""
    return text.translate(_RFC1459)


def normalise_chat_key(chat_key: str) -> str:
    """The one spelling of ``chat_key``: platform in lower case, IRC accounts case-folded."""
    platform, sep, user_id = chat_key.partition(":")
    platform = platform.lower()
    if platform == "irc":
        user_id = irc_lower(user_id)
    return f"{platform}{sep}{user_id}"


def chat_key_problem(chat_key: str) -> str | None:
    """Why ``chat_key`` cannot be linked, as a sentence; ``None`` when it can."""
    platform, sep, user_id = chat_key.partition(":")
    known = ", ".join(f"{p}:<{what.split(' such as')[0]}>" for p, (_, what) in _USER_IDS.items())
    if not sep or platform.lower() not in _USER_IDS:
        return f"{chat_key!r} is not a chat identity; say {known}"
    pattern, what = _USER_IDS[platform.lower()]
    if not pattern.match(user_id):
        return f"{user_id!r} is not {what}"
    return None
