"""Tool-home paths: the grid wrote ``~/x``, ``$HOME/x`` or ``/data/project/<tool>/x``."""

from __future__ import annotations

import re

_HOME_PREFIXES = ("~/", "$HOME/", "${HOME}/")
_HOME_WORDS = ("~", "$HOME", "${HOME}")
_TOOL_HOME = re.compile(r"^/data/project/([^/]+)/?(.*)$")


def home_relative(path: str, tool: str = "") -> str | None:
    """The path relative to the tool home, ``""`` for the home itself, ``None`` if outside it.

    Without a tool name any ``/data/project/<x>/`` counts as the home.
    """
    if path.rstrip("/") in _HOME_WORDS:
        return ""
    for prefix in _HOME_PREFIXES:
        if path.startswith(prefix):
            return path[len(prefix) :]
    match = _TOOL_HOME.match(path)
    if match and (not tool or match.group(1) == tool):
        return match.group(2)
    return None


def mentions_home(text: str) -> bool:
    """Whether a command line refers to the tool home (which build-service images do not mount)."""
    return bool(re.search(r"(^|[\s=:'\"])(~/|~$|\$HOME\b|\$\{HOME\}|/data/project/)", text))


def looks_like_directory(path: str) -> bool:
    """jsub ``-o`` naming a directory: SGE then wrote ``<name>.o<jobid>`` files into it."""
    if path.endswith("/"):
        return True
    last = path.rsplit("/", 1)[-1]
    return "." not in last and last not in ("null", "stdout", "stderr")
