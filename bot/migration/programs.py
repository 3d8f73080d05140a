"""Programs the grid found through ``PATH``, mapped to the file in the repository.

A crontab line could run ``run.sh`` (a bare name: ``~/bin``, ``~/local/bin``
or another ``PATH`` entry from ``~/.bash_profile``, else the current
directory, the tool home). Jobs do not read ``.bash_profile`` and images have
their own ``PATH``, so the bare name is replaced by the repository file it
meant, when exactly one file has that name.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from bot.migration.shellwords import split

# directories a grid PATH pointed into, best first
_BIN_DIRS = ("bin", "local/bin", "scripts", "")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


@dataclass(frozen=True, slots=True)
class Resolved:
    command: str
    path: str | None = None  # the repository file the program word now names


def resolve(command: str, repo_paths: Collection[str], *, in_home: bool) -> Resolved:
    """``command`` with a bare program name replaced by its file in the repository:
    ``$HOME/<path>`` for a job that runs in the tool home (pre-built images), else the
    repository path (the build-service image starts in the checkout)."""
    words = split(command)
    token = next(
        (t for t in words.tokens if t.kind == "word" and not _ASSIGNMENT.match(t.value)), None
    )
    if token is None or "/" in token.value or token.text != token.value:
        return Resolved(command)
    path = _find(token.value, repo_paths)
    if path is None:
        return Resolved(command)
    if in_home:
        replacement = f"$HOME/{path}"
    else:
        replacement = path if "/" in path else f"./{path}"
    return Resolved(command[: token.start] + replacement + command[token.end :], path)


def _find(name: str, repo_paths: Collection[str]) -> str | None:
    matches = [p for p in repo_paths if p.rsplit("/", 1)[-1] == name]
    for directory in _BIN_DIRS:
        here = [
            p
            for p in matches
            if p.rsplit("/", 1)[0] == directory or (not directory and "/" not in p)
        ]
        if len(here) == 1:
            return here[0]
    return matches[0] if len(matches) == 1 else None
