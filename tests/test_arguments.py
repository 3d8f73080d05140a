"""The argument parser: typed values, clear usage errors, and no other exception ever."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.arguments import parse_arguments, tokenize
from bot.commands import Arg, Command, Flag, Invocation
from bot.errors import UsageError
from bot.reply import Reply


async def _noop(ctx: object, inv: Invocation) -> Reply:
    return Reply.text("ok")


LOGS = Command(
    name="logs",
    summary="",
    handler=_noop,  # type: ignore[arg-type]
    args=(Arg("tool"), Arg("job", required=False)),
    flags=(Flag("lines", kind=int, minimum=1, maximum=500), Flag("here")),
)
SAY = Command(
    name="say",
    summary="",
    handler=_noop,  # type: ignore[arg-type]
    args=(Arg("mode", choices=("loud", "quiet")), Arg("words", rest=True)),
)


def test_tokenize_groups_quoted_words() -> None:
    assert tokenize("status \"my tool\" 'a b'  c") == ["status", "my tool", "a b", "c"]
    assert tokenize("migrate “two words”") == ["migrate", "two words"]
    assert tokenize('say ""') == ["say", ""]


def test_unclosed_quote_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="quote is not closed"):
        tokenize('status "sample-web')


def test_positional_and_flags_are_typed() -> None:
    inv = parse_arguments(LOGS, ["sample-web", "web", "--lines", "50", "--here"])
    assert inv.values == {"tool": "sample-web", "job": "web", "lines": 50, "here": True}
    inv = parse_arguments(LOGS, ["--lines=7", "sample-web"])
    assert inv["lines"] == 7 and inv["job"] is None and inv["here"] is False


@pytest.mark.parametrize(
    ("words", "message"),
    [
        ([], "missing <tool>"),
        (["t", "j", "extra"], "unexpected 'extra'"),
        (["t", "--lines"], "--lines needs a value"),
        (["t", "--lines", "many"], "--lines must be a whole number, not 'many'"),
        (["t", "--lines", "0"], "--lines must be at least 1"),
        (["t", "--lines", "501"], "--lines must be at most 500"),
        (["t", "--lnes", "5"], "unknown option '--lnes'; did you mean --lines?"),
        (["t", "--here=yes"], "--here takes no value"),
    ],
)
def test_bad_arguments_explain_themselves_with_usage(words: list[str], message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_arguments(LOGS, words)
    assert message in str(caught.value)
    assert "Usage: logs <tool> [job] [--lines INT] [--here]" in str(caught.value)


def test_choices_suggest_a_near_miss_and_rest_collects_words() -> None:
    with pytest.raises(UsageError, match="did you mean loud"):
        parse_arguments(SAY, ["lod", "hi"])
    assert parse_arguments(SAY, ["quiet", "hello", "there"])["words"] == "hello there"


def test_double_dash_ends_options() -> None:
    inv = parse_arguments(LOGS, ["--", "--weird-tool"])
    assert inv["tool"] == "--weird-tool"


def test_control_characters_never_echo_back() -> None:
    with pytest.raises(UsageError) as caught:
        parse_arguments(LOGS, ["t", "j", "x\r\nQUIT :bye"])
    assert "\r" not in str(caught.value) and "\n" not in str(caught.value)


@given(st.text())
def test_tokenize_raises_only_usage_errors(text: str) -> None:
    try:
        tokens = tokenize(text)
    except UsageError:
        return
    assert all(isinstance(t, str) for t in tokens)


@given(st.lists(st.one_of(st.text(), st.sampled_from(["--lines", "--here", "--", "-1", "--x="]))))
def test_parser_raises_only_usage_errors(words: list[str]) -> None:
    for command in (LOGS, SAY):
        try:
            inv = parse_arguments(command, words)
        except UsageError as error:
            assert str(error)
            continue
        assert inv.command == command.name
