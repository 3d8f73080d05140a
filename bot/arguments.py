"""Turn the words after the prefix into a typed :class:`Invocation`.

Nothing here raises anything but :class:`UsageError`, whose sentence says
what was wrong and how the command is used (a property test holds us to it).
"""

from __future__ import annotations

import difflib
from typing import Any

from bot.commands import Arg, Command, Flag, Invocation
from bot.errors import UsageError
from bot.text import quote_user

_QUOTES = {'"': '"', "'": "'", "\u201c": "\u201d", "\u2018": "\u2019"}


def tokenize(text: str) -> list[str]:
    """Split on whitespace; single or double quotes (also typographic ones) group words."""
    tokens: list[str] = []
    buf: list[str] = []
    closing: str | None = None
    in_token = False
    for ch in text:
        if closing is not None:
            if ch == closing:
                closing = None
            else:
                buf.append(ch)
        elif ch in _QUOTES:
            closing = _QUOTES[ch]
            in_token = True
        elif ch.isspace():
            if in_token:
                tokens.append("".join(buf))
                buf.clear()
                in_token = False
        else:
            buf.append(ch)
            in_token = True
    if closing is not None:
        raise UsageError(f"a quote is not closed (expected {closing})")
    if in_token:
        tokens.append("".join(buf))
    return tokens


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


def parse_arguments(command: Command, words: list[str]) -> Invocation:
    """Match ``words`` (after the command name) against the declaration."""
    try:
        return _parse(command, words)
    except UsageError as error:
        raise UsageError(f"{error.sentence}. Usage: {command.usage()}") from None


def _parse(command: Command, words: list[str]) -> Invocation:
    flags = {f.name: f for f in command.flags}
    values: dict[str, Any] = {
        f.name: (False if f.kind is bool else f.default) for f in command.flags
    }
    positional: list[str] = []
    i = 0
    only_positional = False
    while i < len(words):
        word = words[i]
        i += 1
        if word == "--" and not only_positional:
            only_positional = True
            continue
        if word.startswith("--") and len(word) > 2 and not only_positional:
            name, eq, inline = word[2:].partition("=")
            flag = flags.get(name)
            if flag is None:
                near = difflib.get_close_matches(name, list(flags), n=1)
                hint = f"; did you mean --{near[0]}?" if near else ""
                raise UsageError(f"unknown option {quote_user(word)}{hint}")
            if flag.kind is bool:
                if eq:
                    raise UsageError(f"--{name} takes no value")
                values[name] = True
                continue
            if not eq:
                if i >= len(words):
                    raise UsageError(f"--{name} needs a value")
                inline = words[i]
                i += 1
            values[name] = _flag_value(flag, inline)
            continue
        positional.append(word)
    _assign_positional(command.args, positional, values)
    return Invocation(command=command.name, values=values)


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
