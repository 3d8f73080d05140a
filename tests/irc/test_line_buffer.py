"""The adapter's line buffer cuts and decodes exactly as the irc library's did, faster."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from jaraco.stream.buffer import LenientDecodingLineBuffer

from adapters.irc.line_buffer import LineBuffer

# Line ends in every arrangement (a CR alone, CR LF split across reads, LF CR),
# UTF-8 and Latin-1 text.
PIECES = st.sampled_from([b"a", b" ", b"\r", b"\n", b"\r\n", b"\n\r", b"\xe9", b"\xc3\xa9"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(PIECES, max_size=12).map(b"".join), max_size=6))
def test_the_same_lines_as_the_library_for_any_reads(reads: list[bytes]) -> None:
    ours, library = LineBuffer(), LenientDecodingLineBuffer()
    for data in reads:
        ours.feed(data)
        library.feed(data)
        assert list(ours) == list(library)
        assert ours.buffer == library.buffer  # the unfinished line, kept for the next read


def test_a_latin1_line_among_utf8_lines() -> None:
    buffer = LineBuffer()
    buffer.feed(b"caf\xc3\xa9\r\nOl\xe9\r\n:half a li")
    assert list(buffer) == ["café", "Olé"]
    buffer.feed(b"ne\r\n")
    assert list(buffer) == [":half a line"]
