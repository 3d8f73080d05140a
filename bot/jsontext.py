"""JSON from outside (repository files, API answers): parsed, or refused as a ValueError.

``json.loads`` raises RecursionError on a document nested a few thousand
levels deep, and code that walks a parsed document recursively can fail on
one a few hundred levels deep. No real package.json or API answer nests like
that, so such a document is refused the way invalid JSON is.
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 64


def parse_json(text: str | bytes, max_depth: int = MAX_DEPTH) -> Any:
    """The parsed document; ``ValueError`` if it is not JSON or nests deeper than ``max_depth``."""
    try:
        document = json.loads(text)
    except RecursionError:
        raise ValueError(f"nested more than {max_depth} levels deep") from None
    if depth(document) > max_depth:
        raise ValueError(f"nested more than {max_depth} levels deep")
    return document


def depth(document: Any) -> int:
    """How deeply lists and objects nest in ``document`` (walked without recursion)."""
    deepest, stack = 0, [(document, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children)
    return deepest
