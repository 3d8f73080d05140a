"""One test per cutting rule of adapters/irc/lines.py, at the smallest budget (8 bytes),
where each rule decides the pieces (what a mutation run of the module found unpinned)."""

from __future__ import annotations

import pytest

from adapters.irc.lines import UnsafeLine, check_wire, split_line

COLOUR = "\x0312,34"  # an mIRC colour code: never cut between \x03 and its digits


def test_a_colour_code_at_the_cut_goes_whole_to_the_next_piece() -> None:
    assert split_line("a" + COLOUR + "€€€", 8) == ["a", COLOUR, "€€", "€"]


def test_a_colour_code_that_starts_the_text_is_kept_in_the_first_piece() -> None:
    # Moving the cut to the code's start would make an empty piece, and loop for ever.
    assert split_line(COLOUR + "€€€", 8) == [COLOUR, "€€", "€"]


def test_combining_marks_stay_off_the_cut_but_never_empty_a_piece() -> None:
    assert split_line("e" + "\u0301" * 6, 8) == ["e", "\u0301", "\u0301", "\u0301" * 4]


def test_leading_spaces_are_dropped_other_blanks_kept() -> None:
    assert split_line("   " + "a" * 12, 8) == ["aaaaaaaa", "aaaa"]
    assert split_line(" \xa0" + "a" * 12, 8) == ["\xa0aaaaaa", "aaaaaa"]
    assert split_line("      abc def ghijkl", 8) == ["abc def", "ghijkl"]


def test_a_budget_under_8_bytes_is_a_bug_upstream() -> None:
    with pytest.raises(ValueError, match=r"^line budget too small: 7 bytes$"):
        split_line("x", 7)


def test_a_line_with_cr_lf_or_nul_is_refused_naming_its_start() -> None:
    with pytest.raises(UnsafeLine) as refused:
        check_wire("a" * 70 + "\r\nQUIT")
    assert str(refused.value) == (f"refusing to send a line with CR/LF/NUL: {'a' * 60!r}")
    for bad in ("x\ry", "x\ny", "x\x00y"):
        with pytest.raises(UnsafeLine):
            check_wire(bad)
    assert check_wire("fine \x03 line") == "fine \x03 line"
