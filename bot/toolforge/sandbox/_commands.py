"""What a job's command does when the sandbox "runs" it.

There is no container: the sandbox reads the command the way a reader of a
job definition would. On a build-service image the command goes through the
buildpacks ``launcher``: a Procfile process type or an executable, else the
launcher fails. A few shell words are acted out so jobs can be made to
succeed or fail on purpose: ``echo TEXT`` writes a line, ``sleep N`` takes N
seconds, ``exit N`` / ``false`` end with that code.
"""

from __future__ import annotations

import re
import shlex

from bot.toolforge.sandbox._images import ImageInfo
from bot.toolforge.sandbox._state import Outcome

_EXECUTABLES = {
    "python", "python3", "php", "node", "npm", "npx", "java", "ruby", "perl", "bash", "sh",
    "gunicorn", "uwsgi", "celery", "flask", "uvicorn", "bundle", "rake", "composer", "echo",
    "sleep", "exit", "true", "false", "env", "launcher", "exec", "cd", "mono", "dotnet",
}  # fmt: skip
_SEPARATORS = re.compile(r"\s*(?:;|&&|\|\|)\s*")
RUN_SECONDS = 10.0  # how long a one-off or scheduled run takes unless its command says


def launcher_failure(image: ImageInfo, cmd: str) -> Outcome | None:
    """The launcher's error when a build-service image has neither a process type nor a
    program of that name (only known for images built from a repository the sandbox read)."""
    build = image.build
    if build is None or build.snapshot is None:
        return None
    words = cmd.split()
    if words[:1] == ["launcher"]:
        words = words[1:]
    if not words:
        return None
    first = words[0]
    files = build.snapshot.files
    if first in build.snapshot.procfile or first in _EXECUTABLES:
        return None
    if first.removeprefix("./") in files or "=" in first:
        return None
    message = (
        f'ERROR: failed to launch: path lookup: exec: "{first}": executable file not found in $PATH'
    )
    return Outcome(exit_code=1, after=1.0, exit_lines=(message,))


def acted_out(cmd: str, keeps_running: bool) -> Outcome:
    """The outcome of a command with nothing wrong with its image."""
    lines: list[str] = []
    seconds = 0.0
    code: int | None = None
    try:
        steps = [shlex.split(step) for step in _SEPARATORS.split(cmd.strip()) if step]
    except ValueError:
        steps = []
    for words in steps:
        if not words:
            continue
        if words[0] == "echo":
            lines.append(" ".join(words[1:]))
        elif words[0] == "sleep" and len(words) > 1 and _number(words[1]) is not None:
            seconds += _number(words[1]) or 0.0
        elif words[0] == "exit":
            code = int(words[1]) if len(words) > 1 and words[1].isdigit() else 0
            break
        elif words[0] == "false":
            code = 1
            break
    if keeps_running and code is None:
        return Outcome(exit_code=None, after=0.0, lines=tuple(lines))
    if not seconds:  # a command that says how it ends ends at once; others take a while
        seconds = 1.0 if code is not None else RUN_SECONDS
    return Outcome(exit_code=code or 0, after=seconds, lines=tuple(lines))


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None
