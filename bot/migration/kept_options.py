"""What a job that runs today keeps when it moves to the build-service image.

A pre-built image mounts NFS and writes ``<home>/<name>.out|err`` by default;
a build-service image does neither. The planner adds only what it can see a
job needs, which is right for grid lines (history) but can break a job that
works today: it may read a file in the tool home the planner never saw, or
someone may read its log files. So a job the jobs API runs keeps its mount and
its log files, and a note says so; memory, CPU, e-mails, retries, timeout,
port, replicas and health check are carried over as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.migration.apijobs import is_build_service_image
from bot.migration.model import Job, Note, Severity


@dataclass(frozen=True, slots=True)
class Kept:
    mount: str | None
    filelog: bool | None
    note: Note | None


def keep_running_options(job: Job, mount: str | None, filelog: bool | None) -> Kept:
    """``mount`` and ``filelog`` as the planner chose them for the moved ``job``, with
    what the job has today kept; the note says what was kept and why."""
    prebuilt = not is_build_service_image(job.image)
    had_mount = job.mount or ("all" if prebuilt else "none")
    had_filelog = job.filelog if job.filelog is not None else prebuilt
    kept: list[str] = []
    if had_mount == "all" and mount != "all":
        mount = "all"
        kept.append("mount: all (NFS, the tool home)")
    if had_filelog and not filelog:
        filelog = True
        out = job.filelog_stdout or f"{job.name}.out"
        err = job.filelog_stderr or f"{job.name}.err"
        kept.append(f"filelog: true (its output in ~/{out} and ~/{err})")
        mount = "all"  # file logs need the mount
    if not kept:
        return Kept(mount, filelog, None)
    note = Note(
        "options-kept",
        f"keeps {' and '.join(kept)} as it runs today on {job.image}; the build-service image "
        "has neither by default: remove them from jobs.yaml once the job needs neither",
        Severity.INFO,
        job.name,
        job.source,
    )
    return Kept(mount, filelog, note)
