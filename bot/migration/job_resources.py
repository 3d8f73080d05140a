"""What a translated job uses: log files, memory, and the image's caveats."""

from __future__ import annotations

from bot.migration.images import ImageGuess
from bot.migration.jsub import SubmitOptions
from bot.migration.memory import DEFAULT_MIB, MAX_PER_JOB_MIB, quantity
from bot.migration.model import Note, Severity
from bot.migration.paths import home_relative, looks_like_directory

DISCARD = "/dev/null"


def log_files(
    opts: SubmitOptions, name: str, tool: str, notes: list[Note], src: str
) -> tuple[str | None, str | None, bool | None]:
    out = log_path(opts.stdout, name, ".out", tool, notes, src) if opts.stdout else None
    err = log_path(opts.stderr, name, ".err", tool, notes, src) if opts.stderr else None
    if opts.join:
        out = out or f"{name}.out"
        err = out
    if out == DISCARD and err in (DISCARD, None if opts.join else DISCARD):
        notes.append(
            _info(
                "logs",
                "output went to /dev/null: no log files; 'toolforge jobs logs' still shows it",
                src,
                name,
            )
        )
        return None, None, False
    if opts.stdout or opts.stderr:
        notes.append(_info("filelog", "log files kept where the grid wrote them", src, name))
    out = None if out == f"{name}.out" else out
    err = None if err == f"{name}.err" else err
    return out, err, None


def log_path(path: str, name: str, suffix: str, tool: str, notes: list[Note], src: str) -> str:
    if path == DISCARD:
        return DISCARD
    relative = home_relative(path, tool)
    target = relative if relative is not None else path
    if looks_like_directory(path):
        target = f"{target.rstrip('/')}/{name}{suffix}".lstrip("/") if target else f"{name}{suffix}"
        if relative is None and path.startswith("/"):
            target = "/" + target
        notes.append(
            _info(
                "log-directory",
                f"{path} is a directory: SGE wrote one file "
                f"per run there; the job now appends to {target}",
                src,
                name,
            )
        )
    return target


def memory(
    mib: int | None, name: str, image: ImageGuess, notes: list[Note], src: str
) -> str | None:
    if mib is None or mib == DEFAULT_MIB:
        return None
    if mib > MAX_PER_JOB_MIB:
        notes.append(
            _warn(
                "memory-over-limit",
                f"{quantity(mib)} is over the 4Gi per-job "
                "limit; asking for 4Gi (grid memory counted virtual memory, so "
                "less is usually enough)",
                src,
                name,
            )
        )
        mib = MAX_PER_JOB_MIB
    elif mib > DEFAULT_MIB:
        notes.append(
            _info(
                "memory-virtual",
                f"{quantity(mib)} kept, but the grid counted virtual memory: less may be enough",
                src,
                name,
            )
        )
    if image.language == "java":
        notes.append(_info("java-memory", "set -Xmx below the memory limit", src, name))
    return quantity(mib)


def image_notes(image: ImageGuess, name: str, src: str) -> list[Note]:
    notes = []
    if image.venv:
        notes.append(
            _warn(
                "python-venv",
                "a virtualenv built on the grid does not work in the "
                "new images: the build service installs requirements.txt",
                src,
                name,
            )
        )
    if image.python2:
        notes.append(
            _warn("python2", "Python 2 is not available: port the code to Python 3", src, name)
        )
    if image.bastion_command:
        notes.append(
            _warn(
                "bastion-command",
                f"'{image.bastion_command}' only exists on the bastion, not inside jobs",
                src,
                name,
            )
        )
    return notes


def _info(problem: str, message: str, source: str, job: str | None = None) -> Note:
    return Note(problem, message, Severity.INFO, job, source)


def _warn(problem: str, message: str, source: str, job: str | None = None) -> Note:
    return Note(problem, message, Severity.WARNING, job, source)
