"""What of a source file can use a path: its code, without its comments and its sentences.

The storage findings look for paths (``/data/project/...``, ``~/``) in a
tool's code; a comment, a docstring or a message that names such a path in a
sentence ("A tool's home (/data/project/<tool>) is shared NFS storage") uses
none. For Python the tokenizer tells strings and comments apart: comments and
strings that read as sentences (four words in a row) are blanked; a string
that is only a path, or a command line, stays. Other languages stay as they are.
A line that names a path it does not use can also say so: ``plan: not a path``.
"""

from __future__ import annotations

import io
import re
import tokenize

NOT_A_PATH = "plan: not a path"
_SENTENCE = re.compile(r"[A-Za-z]+(?:'[a-z]+)?,? [A-Za-z]+ [A-Za-z]+ [A-Za-z]+")
# Python 3.12 splits f-strings into tokens; their text is in FSTRING_MIDDLE.
_TEXT_TOKENS = {tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}


def code_view(path: str, text: str) -> str:
    """``text`` with what cannot use a path blanked (same length, same line breaks)."""
    if NOT_A_PATH in text:
        text = "\n".join("" if NOT_A_PATH in line else line for line in text.split("\n"))
    if not path.endswith(".py"):
        return text
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return text  # not Python this tokenizer reads: look at all of it
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    chars = list(text)
    for token in tokens:
        prose = token.type in _TEXT_TOKENS and _SENTENCE.search(token.string)
        if token.type == tokenize.COMMENT or prose:
            begin = starts[token.start[0] - 1] + token.start[1]
            end = starts[token.end[0] - 1] + token.end[1]
            for i in range(begin, end):
                if chars[i] != "\n":
                    chars[i] = " "
    return "".join(chars)
