"""The translator's vocabulary: jobs-framework definitions and the notes about them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Literal

JobKind = Literal["one-off", "scheduled", "continuous"]


class Severity(Enum):
    """``WARNING``: behaviour changes or something must be done by hand.
    ``INFO``: dropped or changed with no effect worth acting on."""

    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Note:
    """One thing the translator, inspector or planner wants the user to know.

    ``problem`` is an id from :mod:`bot.migration.guides`; every note links to
    the guide section that explains it.
    """

    problem: str
    message: str
    severity: Severity = Severity.WARNING
    job: str | None = None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Job:
    """A jobs-framework definition, as ``toolforge jobs load`` reads it.

    ``None`` / zero means "the server default": the definition stays as short
    as ``toolforge jobs dump`` would write it.
    """

    name: str
    command: str
    kind: JobKind = "one-off"
    image: str = "bookworm"
    schedule: str | None = None
    mem: str | None = None
    cpu: str | None = None
    emails: str | None = None
    retry: int = 0
    timeout: int = 0
    mount: str | None = None
    filelog: bool | None = None
    filelog_stdout: str | None = None
    filelog_stderr: str | None = None
    wait: bool = False
    port: int | None = None
    publish: bool = False  # served at https://<tool>.toolforge.org/ (a continuous job's port)
    replicas: int | None = None
    health_check_http: str | None = None
    health_check_script: str | None = None
    workdir: str | None = None
    source: str = ""

    def with_changes(self, **changes: object) -> Job:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class EnvVar:
    """A tool-wide variable for ``toolforge envvars create``.

    ``value`` is ``None`` when it must be asked for (a secret, or a value the
    grid took from the submitting shell).
    """

    name: str
    value: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class GridWebservice:
    """A ``webservice --backend=gridengine <type> start`` line, understood."""

    grid_type: str
    kubernetes_type: str | None
    extra_args: str = ""
    source: str = ""


@dataclass(frozen=True, slots=True)
class Translation:
    """Everything the translator understood, and everything it could not carry over."""

    jobs: tuple[Job, ...] = ()
    envvars: tuple[EnvVar, ...] = ()
    webservice: GridWebservice | None = None
    notes: tuple[Note, ...] = ()
    current_jobs: tuple[str, ...] = field(default=())

    def merged(self, other: Translation) -> Translation:
        """Both translations together; names from ``other`` win on conflict."""
        names = {job.name for job in other.jobs}
        seen_env = {env.name for env in other.envvars}
        return Translation(
            jobs=tuple(j for j in self.jobs if j.name not in names) + other.jobs,
            envvars=tuple(e for e in self.envvars if e.name not in seen_env) + other.envvars,
            webservice=other.webservice or self.webservice,
            notes=self.notes + other.notes,
            current_jobs=tuple(dict.fromkeys(self.current_jobs + other.current_jobs)),
        )
