"""The cheap "could this be for the bot" test never rules out a line the core would answer.

The IRC adapter drops channel lines it rules out before parsing them, so a
line ``may_address`` refuses but ``command_line`` accepts would go unanswered.
"""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from bot.addressing import command_line, may_address
from bot.message import ChatIdentity, Message

PREFIX, NAME = "!tf", "forgebot"
starts = st.sampled_from(["", " ", "\t", "@", "@ ", "\u3000", "  @"])
heads = st.sampled_from([PREFIX, NAME, "FORGEBOT", "ForgeBot", "!TF", "!tfx", "forge", "İ"])
tails = st.sampled_from(["", " status x", ": status x", ", help", ":", "\tstatus"])


def _room(text: str) -> Message:
    return Message("irc", ChatIdentity("irc", None, "bob"), text, room="#c")


@given(starts, heads, tails, st.text(max_size=20))
@example("\t", PREFIX, " status x", "")
@example("", "FORGEBOT", ": status", "")
def test_may_address_accepts_whatever_command_line_accepts(
    start: str, head: str, tail: str, rest: str
) -> None:
    text = start + head + tail + rest
    if command_line(_room(text), PREFIX, NAME) is not None:
        assert may_address(text, PREFIX, NAME), repr(text)


@given(st.text(max_size=40))
def test_any_text(text: str) -> None:
    if command_line(_room(text), PREFIX, NAME) is not None:
        assert may_address(text, PREFIX, NAME), repr(text)


def test_ordinary_chatter_is_ruled_out() -> None:
    for text in ("is toolforge down?", "thanks forgebot", "!help", "@someone: hi"):
        assert not may_address(text, PREFIX, NAME)
