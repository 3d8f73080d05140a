"""Long lines shaped to hit the worst case of each redaction rule.

A log line comes from the Internet (an access log records any URL someone
requests): a pattern that backtracks on one of these would stall the bot.
"""

from __future__ import annotations

import random
import string

# Each unit is repeated to the wanted length; many are a rule's opening
# without its end (an unclosed quote, a key with no value, a prefix with no token).
UNITS = {
    "dotted words": "a.b-c_d",
    "key with no value": "password=",
    "php arrow": "'password' => ",
    "ruby rocket": ":api_key=>",
    "unclosed JSON value": '"token": "',
    "escaped JSON key": '\\"password\\": \\"',
    "schemes": "https://",
    "userinfo": "a://b:c@",
    "at signs": "@",
    "open calls": "login(",
    "call arguments": "connect('a', ",
    "xml element": "<password>",
    "named value": 'name="password" ',
    "nickserv": "PRIVMSG NickServ :IDENTIFY ",
    "irc pass": ">>>PASS ",
    "mysql flags": "mysql -p",
    "curl user": "curl -u a:",
    "flags": "--password ",
    "jwt start": "eyJa.",
    "token prefix": "ghp_",
    "google prefix": "AIza",
    "webhook path": "/api/webhooks/1/",
    "base64 run": "QUJDREVGR0hJSktMTU5PUFFS",
    "percent signs": "%2",
    "unicode escapes": "\\u00",
    "html entities": "&amp;",
    "known prefix": "Zq9xW3vKp7Lm2R",
    "netrc": "machine x login y ",
    "spaces": " ",
    "equals": "=",
    "quotes": "'",
    "multi-word value": "secret: a b c ",
}


def adversarial_lines(length: int = 40_000) -> list[tuple[str, str]]:
    """(name, line) pairs, each line ``length`` characters long."""
    lines = [(name, (unit * (length // len(unit) + 1))[:length]) for name, unit in UNITS.items()]
    rng = random.Random(9)
    printable = string.printable
    lines.append(("random printable", "".join(rng.choice(printable) for _ in range(length))))
    return lines
