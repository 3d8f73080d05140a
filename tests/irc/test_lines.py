"""Line safety and splitting: what may reach the wire, and in what sizes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.irc.lines import (
    IRC_LINE_BYTES,
    UnsafeLine,
    check_wire,
    clean_text,
    one_line,
    payload_budget,
    split_line,
)


def test_clean_text_keeps_line_breaks_as_lf_and_drops_other_controls() -> None:
    text = "job\r\nQUIT :bye\rPRIVMSG x\x00\x01ACTION\x01 \x02bold\x03 04red\x7f\x85end"
    assert clean_text(text) == "job\nQUIT :bye\nPRIVMSG xACTION bold 04red\nend"


def test_clean_text_strips_bidi_overrides_and_expands_tabs() -> None:
    assert clean_text("a\u202eb\u2066c") == "abc"
    assert "\u202e" not in clean_text("tool\u202egnp.exe")
    assert clean_text("a\tb") == "a   b"


def test_one_line_turns_every_break_into_a_space() -> None:
    assert one_line("evil\r\nQUIT :x\u2028y") == "evil QUIT :x y"


def test_check_wire_refuses_cr_lf_nul() -> None:
    for bad in ("a\rb", "a\nb", "a\x00b"):
        with pytest.raises(UnsafeLine):
            check_wire(bad)
    assert check_wire("PRIVMSG #c :\x02fine\x02") == "PRIVMSG #c :\x02fine\x02"


def test_budget_counts_the_relayed_prefix() -> None:
    mask = "forgebot!forgebot@127.0.0.1"
    budget = payload_budget(mask, "PRIVMSG", "#wikimedia-cloud")
    relayed = f":{mask} PRIVMSG #wikimedia-cloud :" + "x" * budget + "\r\n"
    assert len(relayed.encode()) == IRC_LINE_BYTES


def test_split_prefers_spaces() -> None:
    assert split_line("aaaa bbbb cccc", 9) == ["aaaa bbbb", "cccc"]


def test_split_cuts_a_too_long_word_on_a_character_boundary() -> None:
    pieces = split_line("é" * 10, 9)  # 2 bytes each
    assert pieces == ["éééé", "éééé", "éé"]


def test_split_does_not_cut_a_colour_code() -> None:
    pieces = split_line("x" * 8 + "\x0304red", 10)
    assert pieces[0] == "x" * 8 and pieces[1].startswith("\x0304")


def test_split_keeps_combining_marks_with_their_letter() -> None:
    text = "e\u0301" * 6  # é as e + combining acute: 3 bytes per pair
    for piece in split_line(text, 8):
        assert not piece.startswith("\u0301")


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=0, max_size=600), st.integers(min_value=8, max_value=120))
def test_split_pieces_fit_and_lose_only_spaces(text: str, limit: int) -> None:
    pieces = split_line(text, limit)
    assert all(len(p.encode()) <= limit for p in pieces)
    assert "".join(pieces).replace(" ", "") == text.replace(" ", "")
    assert all(p for p in pieces) or pieces == [text]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab é€😀 "), max_size=400))
def test_split_never_cuts_inside_a_word_that_fits(text: str) -> None:
    limit = 40
    words = [w for w in text.split(" ") if w]
    if all(len(w.encode()) <= limit for w in words):
        pieces = split_line(text, limit)
        assert [w for p in pieces for w in p.split(" ") if w] == words
