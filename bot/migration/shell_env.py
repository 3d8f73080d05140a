"""Grid shell settings (crontab ``NAME=value`` lines, ``jsub -v``, ``.jsubrc -v``) on the jobs.

On the grid such a setting reached the jobs of one crontab or one submission.
Tool-wide envvars would reach every job and the web service too, so a setting
is put in front of the command of the jobs it applied to, and only of those
whose runtime reads it (``PYTHONPATH`` means nothing to a Perl job). Settings
that describe the grid machine itself (``HOME``, ``PATH``, ``SHELL``,
``BASH_ENV``) are dropped with a note: containers set their own. Secrets are
the exception: they belong in ``toolforge envvars``, never in a command line.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.migration.model import Note, Severity

Setting = tuple[str, str | None]

# the grid machine's own environment: the container has its own
MACHINE = {"HOME", "PATH", "SHELL", "LOGNAME", "USER", "PWD", "BASH_ENV", "ENV"}
# settings only one runtime reads
RUNTIME: dict[str, str] = {
    "PYTHONPATH": "python",
    "PYTHONIOENCODING": "python",
    "PYTHONUNBUFFERED": "python",
    "PYWIKIBOT_DIR": "python",
    "PYWIKIBOT2_DIR": "python",
    "PERL5LIB": "perl",
    "PERLLIB": "perl",
    "NODE_PATH": "nodejs",
    "GEM_HOME": "ruby",
}
_SECRET_NAME = re.compile(r"(PASS|SECRET|TOKEN|KEY|CREDENTIAL|AUTH)", re.IGNORECASE)
# path entries that only worked on the grid: packages built there for its Python
_GRID_BUILT = ("site-packages", "dist-packages", "$PYTHONPATH", "${PYTHONPATH}", "$PERL5LIB")


@dataclass
class JobEnv:
    """What the settings give one job: a command prefix, tool-wide secrets, notes."""

    prefix: str = ""
    secrets: list[Setting] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


def is_secret_name(name: str) -> bool:
    return bool(_SECRET_NAME.search(name))


def for_job(settings: Sequence[Setting], language: str, job: str, source: str) -> JobEnv:
    """The settings that apply to a job whose program runs in ``language``."""
    out = JobEnv()
    words: list[str] = []
    seen: set[str] = set()
    for name, value in reversed(settings):  # the last setting of a name wins
        if name in seen:
            continue
        seen.add(name)
        if is_secret_name(name):
            out.secrets.insert(0, (name, value))
            continue
        if name.upper() in MACHINE:
            continue  # noted once where the setting was read (machine_note)
        wanted = RUNTIME.get(name.upper())
        if wanted is not None and wanted != language:
            continue
        if value is None:
            message = f"{name} took its value from the submitting shell, which is unknown here"
            out.notes.append(_warn(message + ": set it in the command", job, source))
            continue
        kept = _without_grid_paths(value)
        if kept != value:
            if not kept:
                message = f"{name}={value} pointed at packages built on the grid"
                out.notes.append(_warn(message + "; dropped: the build installs them", job, source))
                continue
            out.notes.append(_info(f"{name}: entries built on the grid dropped", job, source))
        words.insert(0, f"{name}={_quote(kept)}")
    if words:
        out.prefix = " ".join(words) + " "
        out.notes.append(_info(f"{', '.join(w.split('=', 1)[0] for w in words)} set in the "
                               "job's command, not tool-wide", job, source))  # fmt: skip
    return out


def machine_note(name: str, value: str, source: str) -> Note | None:
    """The note for a setting of the grid machine itself (``None`` for other settings)."""
    upper = name.upper()
    if upper not in MACHINE:
        return None
    if upper == "BASH_ENV" or upper == "ENV":
        return Note(
            "grid-shell-setting",
            f"{name}={value}: containers do not read this file; put what the jobs need "
            "from it in their commands or in a wrapper script in the repository",
            Severity.WARNING,
            source=source,
        )
    if upper == "HOME":
        return Note(
            "grid-shell-setting",
            f"{name}={value} is not carried over: pre-built images set HOME to the tool "
            "home, build-service images do not (use $TOOL_DATA_DIR)",
            Severity.WARNING,
            source=source,
        )
    return Note(
        "cron-environment",
        f"{name} from the crontab is not carried over: containers set their own",
        Severity.INFO,
        source=source,
    )


def _without_grid_paths(value: str) -> str:
    if ":" not in value and not any(marker in value for marker in _GRID_BUILT):
        return value
    parts = [p for p in value.split(":") if p and not any(m in p for m in _GRID_BUILT)]
    return ":".join(parts)


def _quote(value: str) -> str:
    # keep $HOME and friends expandable; quote only what the shell would split
    if value and all(ch not in value for ch in " \t'\"\\;&|<>()`"):
        return value
    return shlex.quote(value)


def _info(message: str, job: str, source: str) -> Note:
    return Note("grid-shell-setting", message, Severity.INFO, job, source)


def _warn(message: str, job: str, source: str) -> Note:
    return Note("grid-shell-setting", message, Severity.WARNING, job, source)
