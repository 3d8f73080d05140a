"""Small helpers shared by the migration tests."""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

from bot.migration.model import Job, Severity, Translation
from bot.migration.translate import translate_grid

_DEFAULTS = {f.name: f.default for f in fields(Job) if f.name not in ("name", "command")}


def set_fields(job: Job) -> dict[str, Any]:
    """Every field of a job that differs from the default, except where it came from."""
    data = asdict(job)
    data.pop("source")
    return {k: v for k, v in data.items() if k in ("name", "command") or v != _DEFAULTS[k]}


def one_job(text: str, **kwargs: Any) -> tuple[Job, Translation]:
    translation = translate_grid(text, tool="mytool", **kwargs)
    assert len(translation.jobs) == 1, translation
    return translation.jobs[0], translation


def problems(translation: Translation, severity: Severity | None = None) -> set[str]:
    return {n.problem for n in translation.notes if severity is None or n.severity is severity}
