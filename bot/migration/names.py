"""Job and Procfile names: the jobs framework's rules, and the grid's defaults."""

from __future__ import annotations

import re

MAX_JOB_NAME = 52
_JOB_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_PROCFILE_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


def is_valid_job_name(name: str) -> bool:
    return len(name) <= MAX_JOB_NAME and bool(_JOB_NAME.fullmatch(name))


def grid_default_name(program: str) -> str:
    """What jsub called a job without ``-N``: the basename up to its first dot."""
    base = program.rstrip("/").rsplit("/", 1)[-1]
    return base.split(".", 1)[0]


def job_name(raw: str, fallback: str = "job") -> str:
    """``raw`` made valid: lowercase, ``-`` for anything else, at most 52 characters."""
    lowered = raw.strip().lower()
    segments = []
    for segment in lowered.split("."):
        cleaned = re.sub(r"[^a-z0-9-]+", "-", segment)
        cleaned = re.sub(r"-{2,}", "-", cleaned).strip("-")
        if cleaned:
            segments.append(cleaned)
    name = ".".join(segments)[:MAX_JOB_NAME].rstrip("-.")
    if not name:
        return fallback
    return name


def unique(name: str, taken: set[str]) -> str:
    """``name``, or ``name-2``, ``name-3``... if already taken (and still ≤ 52 characters)."""
    if name not in taken:
        return name
    counter = 2
    while True:
        suffix = f"-{counter}"
        candidate = name[: MAX_JOB_NAME - len(suffix)].rstrip("-.") + suffix
        if candidate not in taken:
            return candidate
        counter += 1


def procfile_name(job: str) -> str:
    """A Procfile process type for a job name (Procfile allows no dots)."""
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", job).strip("-")
    return name or "job"


def is_valid_procfile_name(name: str) -> bool:
    return bool(_PROCFILE_NAME.fullmatch(name))
