"""Code markup in chat messages, removed the same way on every Markdown-like platform.

People paste crontabs and commands inside code blocks; the core wants the
text itself. A fenced block (```` ``` ```` or ``~~~``, with an optional
language on the opening line, as Zulip writes them; or inline, as Slack
sends them) becomes its lines; an inline code span becomes its words.
Everything else, newlines included, is left exactly as written.
"""

from __future__ import annotations

import re

_FENCE_LINE = re.compile(r"^[ \t]*(?:`{3,}|~{3,})[ \t]*[\w+.#-]*[ \t]*$", re.MULTILINE)
_INLINE_FENCE = re.compile(r"`{3,}")
_CODE_SPAN = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")


def unfence(text: str) -> str:
    """``text`` without code fences and inline code markers."""
    if "`" not in text and "~~~" not in text:
        return text
    text = _FENCE_LINE.sub("", text)
    text = _INLINE_FENCE.sub("\n", text)
    return _CODE_SPAN.sub(r"\1", text)
