"""The redactor: known values, then every rule, over a line or a window of log lines."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from bot.redact import _assignments, _calls, _commands, _tokens, _urls
from bot.redact._known import KnownSecrets
from bot.redact._rule import MASK, Rule

# What a chat is shown of one line. The whole line is redacted first and cut
# afterwards, so the cut cannot leave the start of a secret that no longer
# matches its rule; lines longer than HARD_LINE are cut before, to bound the work
# (nothing past MAX_LINE is shown anyway).
MAX_LINE = 4000
HARD_LINE = 64_000
CUT_NOTE = " … (line cut)"

# Order matters where one rule would hide what another reads: the rules that
# hide the rest of a line (headers, IRC) and URLs go before assignments, the
# "hide the next word" rule last.
RULES: tuple[Rule, ...] = (
    *_tokens.RULES,
    *_commands.RULES,
    *_urls.RULES,
    *_assignments.RULES,
    *_calls.RULES,
    _tokens.BEARER,
)

_BEGIN_KEY = re.compile(r"-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----")
_END_KEY = re.compile(r"-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----")
_KEY_NOTE = MASK + " (private key)"


class Redactor:
    """Hides secrets in log lines: ``known`` values in any encoding, and whatever
    ``rules`` recognise. Over-redaction is acceptable, leaking is not."""

    def __init__(self, known: Iterable[str] = (), rules: Sequence[Rule] = RULES) -> None:
        self.known = KnownSecrets(known)
        self.rules = tuple(rules)
        self._hints = frozenset(hint for rule in self.rules for hint in rule.hints)
        self._rule_hints = [(rule.apply, frozenset(rule.hints)) for rule in self.rules]

    def line(self, text: str) -> str:
        """One line (no line breaks expected), redacted and cut for a chat."""
        text = text[:HARD_LINE]
        text = self.known.hide(text)
        text = self._inline_keys(text)
        lowercase = text.lower()
        present = {hint for hint in self._hints if hint in lowercase}
        for apply, hints in self._rule_hints:
            if not hints or not hints.isdisjoint(present):
                text = apply(text)
        if len(text) > MAX_LINE:
            text = text[:MAX_LINE] + CUT_NOTE
        return text

    def _inline_keys(self, text: str) -> str:
        begin = _BEGIN_KEY.search(text)
        while begin is not None:
            end = _END_KEY.search(text, begin.end())
            stop = end.end() if end else len(text)
            text = text[: begin.start()] + _KEY_NOTE + text[stop:]
            begin = _BEGIN_KEY.search(text, begin.start() + len(_KEY_NOTE))
        return text

    def positions(self, lines: Iterable[str]) -> list[str | None]:
        """One entry per input line: its redacted text, or ``None`` where a private key
        block hides it. A window that starts inside a key (only its END shows) hides
        everything before that END too."""
        items = list(lines)
        out: list[str | None] = []
        first_end = next((i for i, line in enumerate(items) if _END_KEY.search(line)), None)
        first_begin = next((i for i, line in enumerate(items) if _BEGIN_KEY.search(line)), None)
        start = 0
        if first_end is not None and (first_begin is None or first_end < first_begin):
            out.extend([None] * first_end)
            out.append(_KEY_NOTE)
            start = first_end + 1
        in_key = False
        value_next = False
        for line in items[start:]:
            if in_key:
                out.append(None)
                in_key = _END_KEY.search(line) is None
                continue
            begin = _BEGIN_KEY.search(line)
            if begin and not _END_KEY.search(line, begin.end()):
                out.append(self.line(line[: begin.start()]) + _KEY_NOTE)
                in_key = True
                value_next = False
                continue
            if value_next:
                # The value of a name that ended the line before (var_dump, YAML).
                indent = line[: len(line) - len(line.lstrip())]
                out.append(indent + MASK if line.strip() else line)
                value_next = not line.strip()
                continue
            out.append(self.line(line))
            value_next = _assignments.dangling_secret_key(line[-300:])
        return out
