"""Everything a diagnosis looks at, read at once; a part that cannot be read says why.

Public parts (jobs, the latest build, quota, the web front, the classic web
service) are read for anyone. For a tool's maintainers, the recent error
lines of the jobs in trouble and the failed build's excerpt are read too,
redacted with the tool's envvar values: without those values nothing of the
logs is read (fail closed).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import TypeVar

from bot.classic import ClassicWebService, NotConfigured
from bot.diagnosis.explain import exit_code
from bot.errors import ForgebotError
from bot.front import FrontAnswer
from bot.job_view import failure_excerpt
from bot.log_secrets import secrets_to_hide
from bot.redact import redact_lines, redact_positions
from bot.services import Services
from bot.toolforge import Build, Job, QuotaItem

T = TypeVar("T")
LOG_LINES = 40  # read per job in trouble
SHOWN_LINES = 10  # error lines shown per job
MAX_JOBS_READ = 3
_ERRORISH = re.compile(
    r"error|exception|traceback|fatal|killed|panic|refused|denied|not found|errno|failed"
    r"|running on http://127\.|listening (?:at|on):? http://127\.",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Unread:
    """A part that could not be read, and the sentence saying why."""

    what: str
    sentence: str


@dataclass
class Facts:
    tool: str
    maintainers: frozenset[str]
    jobs: list[Job] | Unread
    build: Build | None | Unread
    quota: list[QuotaItem] | Unread
    front: FrontAnswer | None
    classic: ClassicWebService | None | Unread
    images: dict[str, str] | Unread | None = None  # read when a classic image is to be judged
    internals: bool = False
    error_lines: dict[str, tuple[str, ...]] = field(default_factory=dict)  # job -> lines
    build_excerpt: tuple[str, ...] = ()
    withheld: list[Unread] = field(default_factory=list)  # maintainers' parts not read

    @property
    def job_list(self) -> list[Job]:
        return self.jobs if isinstance(self.jobs, list) else []

    @property
    def unread(self) -> list[Unread]:
        parts = [self.jobs, self.build, self.quota, self.classic, self.images]
        return [p for p in parts if isinstance(p, Unread)] + self.withheld


async def _read(what: str, call: Awaitable[T]) -> T | Unread:
    try:
        return await call
    except NotConfigured as error:
        return Unread(what, error.sentence)
    except ForgebotError as error:
        return Unread(what, error.sentence)


async def _none() -> None:
    return None


def in_trouble(job: Job) -> bool:
    """A job whose log is worth reading: crashing, failed, or restarted."""
    return job.state == "failed" or job.restarts > 0 or exit_code(job) not in (None, 0)


async def gather(services: Services, tool: str, maintainers: frozenset[str], *,
                 internals: bool) -> Facts:  # fmt: skip
    client = services.toolforge
    classic = services.classic
    front = services.front
    jobs, build, quota, answer, web = await asyncio.gather(
        _read("jobs", client.list_jobs(tool)),
        _read("builds", client.latest_build(tool)),
        _read("quota", client.quotas(tool)),
        front.probe(tool) if front is not None else _none(),
        _read("classic web service", classic.find(tool)) if classic is not None else _none(),
    )
    facts = Facts(tool, maintainers, jobs, build, quota, answer, web, internals=internals)
    if isinstance(web, ClassicWebService):
        facts.images = await _read("images", client.images(tool))
    if internals:
        await _read_internals(services, facts)
    return facts


def _logged(facts: Facts) -> list[Job]:
    """The jobs whose recent log lines help: in trouble, or the web job the front cannot reach."""
    jobs = [j for j in facts.job_list if in_trouble(j)]
    front = facts.front
    if front is not None and front.kind in ("proxy-error", "tool") and not front.up:
        jobs += [j for j in facts.job_list if j.is_webservice and j not in jobs]
    return [j for j in jobs if not j.filelog][:MAX_JOBS_READ]


async def _read_internals(services: Services, facts: Facts) -> None:
    client, tool = services.toolforge, facts.tool
    build = facts.build
    failed = isinstance(build, Build) and build.state in ("error", "timeout")
    jobs = _logged(facts)
    if not jobs and not failed:
        return
    try:
        known = await secrets_to_hide(client, tool, "log line")
    except ForgebotError as error:
        facts.withheld.append(Unread("logs", error.sentence))
        return
    for job in jobs:
        try:
            entries = await client.job_logs(tool, job.name, LOG_LINES)
        except ForgebotError as error:
            facts.withheld.append(Unread(f"logs of {job.name}", error.sentence))
            continue
        clean = await asyncio.to_thread(redact_positions, [e.message for e in entries], known)
        lines = [line for line in clean if line is not None]
        if lines:
            facts.error_lines[job.name] = error_lines(lines)
    if failed and isinstance(build, Build):
        try:
            lines = await client.build_logs(tool, build.build_id)
        except ForgebotError as error:
            facts.withheld.append(Unread("build log", error.sentence))
        else:
            facts.build_excerpt = tuple(redact_lines(failure_excerpt(lines), known))


def error_lines(lines: list[str]) -> tuple[str, ...]:
    """The lines that say what went wrong: the last traceback, else the error-like lines,
    else the end of the log."""
    starts = [i for i, line in enumerate(lines) if line.startswith("Traceback")]
    if starts:
        return tuple(lines[starts[-1] :][-SHOWN_LINES:])
    errors = [line for line in lines if _ERRORISH.search(line)]
    chosen = errors or lines[-5:]
    return tuple(dict.fromkeys(chosen))[-SHOWN_LINES:]
