"""Turn the text after the prefix into a typed :class:`Invocation`.

The text is read word by word (:class:`Words`), so a verbatim argument can
take the rest of the message exactly as written, quotes and newlines
included, and a quote that is never closed inside pasted text is not an
error. Nothing here raises anything but :class:`UsageError`, whose sentence
says what was wrong and how the command is used (a property test holds us to it).
"""

from __future__ import annotations

import difflib
from typing import Any

from bot.commands import Arg, Command, Flag, Invocation
from bot.errors import UsageError
from bot.text import quote_user

_QUOTES = {'"': '"', "'": "'", "\u201c": "\u201d", "\u2018": "\u2019"}


class Words:
    """The words of a command line, read one at a time, and the raw rest of it.

    Single or double quotes (also typographic ones) group words; a quote that
    is not closed is an error only when that word is read as a word.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self._split: list[str] | None = None

    @classmethod
    def of(cls, words: list[str]) -> Words:
        """Words given already split (tests, the CLI); the rest is them joined by spaces."""
        made = cls(" ".join(words))
        made._split = list(words)
        return made

    def next(self) -> str | None:
        """The next word, or ``None`` at the end."""
        if self._split is not None:
            return self._split.pop(0) if self._split else None
        text, i, end = self.text, self.pos, len(self.text)
        while i < end and text[i].isspace():
            i += 1
        if i == end:
            self.pos = i
            return None
        buf: list[str] = []
        closing: str | None = None
        while i < end:
            ch = text[i]
            if closing is not None:
                if ch == closing:
                    closing = None
                else:
                    buf.append(ch)
            elif ch in _QUOTES:
                closing = _QUOTES[ch]
            elif ch.isspace():
                break
            else:
                buf.append(ch)
            i += 1
        if closing is not None:
            raise UsageError(f"a quote is not closed (expected {closing})")
        self.pos = i
        return "".join(buf)

    def peek(self) -> str | None:
        """The next word without taking it (``None`` at the end or on an open quote)."""
        pos, split = self.pos, None if self._split is None else list(self._split)
        try:
            return self.next()
        except UsageError:
            return None
        finally:
            self.pos, self._split = pos, split

    def rest(self) -> str:
        """Everything not read yet, exactly as written, without surrounding whitespace."""
        if self._split is not None:
            rest, self._split = " ".join(self._split), []
            return rest
        rest = self.text[self.pos :].strip()
        self.pos = len(self.text)
        return rest


def tokenize(text: str) -> list[str]:
    """Every word of ``text`` (quotes group words)."""
    words = Words(text)
    found: list[str] = []
    while (word := words.next()) is not None:
        found.append(word)
    return found


def _convert(value: str, kind: type, what: str) -> Any:
    if kind is int:
        try:
            return int(value, 10)
        except ValueError:
            raise UsageError(f"{what} must be a whole number, not {quote_user(value)}") from None
    return value


def _check_choice(value: str, choices: tuple[str, ...], what: str) -> None:
    if choices and value not in choices:
        near = difflib.get_close_matches(value, choices, n=1)
        hint = f"; did you mean {near[0]}?" if near else ""
        raise UsageError(
            f"{what} must be one of {', '.join(choices)}, not {quote_user(value)}{hint}"
        )


def _flag_value(flag: Flag, raw: str) -> Any:
    what = f"--{flag.name}"
    value = _convert(raw, flag.kind, what)
    if isinstance(value, int):
        if flag.minimum is not None and value < flag.minimum:
            raise UsageError(f"{what} must be at least {flag.minimum}")
        if flag.maximum is not None and value > flag.maximum:
            raise UsageError(f"{what} must be at most {flag.maximum}")
    if isinstance(value, str):
        _check_choice(value, flag.choices, what)
    return value


def parse_arguments(
    command: Command, words: Words | list[str], *, pasting: bool = False
) -> Invocation:
    """Match the rest of the line against ``command``'s declaration.

    With ``pasting``, a required verbatim argument may be missing (``None``):
    the caller collects it from the lines that follow.
    """
    source = Words.of(words) if isinstance(words, list) else words
    try:
        return _Parser(command, source, pasting).parse()
    except UsageError as error:
        raise UsageError(f"{error.sentence}. Usage: {command.usage()}") from None


class _Parser:
    def __init__(self, command: Command, words: Words, pasting: bool) -> None:
        self.command = command
        self.words = words
        self.pasting = pasting
        self.flags = {f.name: f for f in command.flags}
        self.values: dict[str, Any] = {
            f.name: (False if f.kind is bool else f.default) for f in command.flags
        }
        self.positional: list[str] = []
        self.only_positional = False

    def parse(self) -> Invocation:
        args = self.command.args
        while True:
            index = len(self.positional)
            if index < len(args) and args[index].verbatim:
                text = self.words.rest()
                if not text and args[index].required and not self.pasting:
                    raise UsageError(f"missing <{args[index].name}>")
                self.values[args[index].name] = text or None
                return self._done(args[:index])
            word = self.words.next()
            if word is None:
                return self._done(args)
            if word == "--" and not self.only_positional:
                self.only_positional = True
            elif word.startswith("--") and len(word) > 2 and not self.only_positional:
                self._flag(word)
            else:
                self.positional.append(word)

    def _flag(self, word: str) -> None:
        name, eq, inline = word[2:].partition("=")
        flag = self.flags.get(name)
        if flag is None:
            near = difflib.get_close_matches(name, list(self.flags), n=1)
            hint = f"; did you mean --{near[0]}?" if near else ""
            raise UsageError(f"unknown option {quote_user(word)}{hint}")
        if flag.kind is bool:
            if eq:
                raise UsageError(f"--{name} takes no value")
            self.values[name] = True
            return
        if not eq:
            value = self.words.next()
            if value is None:
                raise UsageError(f"--{name} needs a value")
            inline = value
        self.values[name] = _flag_value(flag, inline)

    def _done(self, args: tuple[Arg, ...]) -> Invocation:
        _assign_positional(args, self.positional, self.values)
        return Invocation(command=self.command.path, values=self.values)


def _assign_positional(
    args: tuple[Arg, ...], positional: list[str], values: dict[str, Any]
) -> None:
    for index, arg in enumerate(args):
        if arg.rest:
            rest = positional[index:]
            if not rest and arg.required:
                raise UsageError(f"missing <{arg.name}>")
            values[arg.name] = " ".join(rest) if rest else None
            return
        if index >= len(positional):
            if arg.required:
                raise UsageError(f"missing <{arg.name}>")
            values[arg.name] = None
            continue
        raw = positional[index]
        _check_choice(raw, arg.choices, f"<{arg.name}>")
        values[arg.name] = _convert(raw, arg.kind, f"<{arg.name}>")
    if len(positional) > len(args):
        extra = positional[len(args)]
        raise UsageError(f"unexpected {quote_user(extra)}")
