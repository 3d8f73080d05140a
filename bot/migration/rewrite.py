"""Grid commands (which ran in the tool home on NFS) as commands inside the built image.

Build-service containers start in ``/workspace``, the repository checkout,
and do not see the tool home unless mounted. A path under the home that
matches a file in the repository becomes the repository path; anything else
stays on NFS as ``$TOOL_DATA_DIR/...`` and the job needs ``mount: all``.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from bot.migration.paths import home_relative
from bot.migration.shellwords import Word, split

_SYSTEM_BIN = re.compile(r"^/(usr/(local/)?)?bin/([\w.+-]+)$")
_VENV_BIN = re.compile(r"/bin/((python|pip|gunicorn|celery|uwsgi)[\d.]*)$")


@dataclass(frozen=True, slots=True)
class Rewritten:
    command: str
    needs_nfs: bool
    in_repo: tuple[str, ...]
    on_nfs: tuple[str, ...]
    program: str


def rewrite(command: str, repo_paths: Collection[str], tool: str = "") -> Rewritten:
    words = split(command)
    pieces: list[str] = []
    last = 0
    in_repo: list[str] = []
    on_nfs: list[str] = []
    program = ""
    first_word = True
    skip_cd = _leading_cd(words.tokens, repo_paths, tool)
    previous = ""
    for index, token in enumerate(words.tokens):
        if index < skip_cd:
            last = token.end
            continue
        if token.kind != "word":
            first_word = token.kind == "control"
            continue
        after_cd = previous == "cd"
        previous = token.value
        replacement = _word(token.value, repo_paths, tool, first_word, after_cd, in_repo, on_nfs)
        if first_word:
            program = replacement if replacement is not None else token.value
        first_word = False
        if replacement is None:
            continue
        pieces.append(command[last : token.start])
        pieces.append(replacement)
        last = token.end
    pieces.append(command[last:])
    text = "".join(pieces).strip()
    needs_nfs = bool(on_nfs) or bool(re.search(r"(~/|\$HOME\b|\$\{HOME\}|/data/project/)", text))
    return Rewritten(text, needs_nfs, tuple(in_repo), tuple(on_nfs), program)


def _leading_cd(tokens: tuple[Word, ...], repo_paths: Collection[str], tool: str) -> int:
    """How many tokens of a ``cd <repo dir> &&`` prefix to drop (the image starts in the repo)."""
    if len(tokens) < 3 or tokens[0].value != "cd" or tokens[2].value not in ("&&", ";"):
        return 0
    relative = home_relative(tokens[1].value, tool)
    if relative is None:
        return 0
    match = _repo_match(relative, repo_paths, directory=True)
    if match == "":
        return 3
    return 0


def _word(
    word: str,
    repo_paths: Collection[str],
    tool: str,
    is_program: bool,
    is_directory: bool,
    in_repo: list[str],
    on_nfs: list[str],
) -> str | None:
    if is_program:
        venv = _VENV_BIN.search(word)
        if venv and not word.startswith(("/usr/", "/bin/")):
            return re.sub(r"[\d.]+$", "", venv.group(1)) or venv.group(1)
        system = _SYSTEM_BIN.match(word)
        if system and system.group(3) not in ("env",):
            return system.group(3)
    relative = home_relative(word, tool)
    if relative is None or relative == "":
        return None
    match = _repo_match(relative, repo_paths, directory=is_directory)
    if match == "":
        return "."
    if match is not None:
        in_repo.append(match)
        if is_program and "/" not in match:
            return f"./{match}"
        return match
    on_nfs.append(relative)
    return f"$TOOL_DATA_DIR/{relative}"


def _repo_match(relative: str, repo_paths: Collection[str], directory: bool = False) -> str | None:
    """The repository path a home path points at: the same path, or the longest tail of it
    (``bot/src/x.py`` when the repo has ``src/x.py``). For directories ``""`` is the root."""
    relative = relative.strip("/")
    parts = relative.split("/")
    dirs = _dirs(repo_paths) if directory else set()
    for start in range(len(parts)):
        tail = "/".join(parts[start:])
        if directory and (tail in dirs):
            return tail
        if not directory and tail in repo_paths and (start == 0 or "/" in tail or len(parts) == 2):
            return tail
    if directory and repo_paths:
        # the checkout itself (``cd ~/mytool-src``): its files are at the root
        return "" if len(parts) <= 2 else None
    return None


def _dirs(paths: Collection[str]) -> set[str]:
    out: set[str] = set()
    for path in paths:
        bits = path.split("/")[:-1]
        for i in range(1, len(bits) + 1):
            out.add("/".join(bits[:i]))
    return out
