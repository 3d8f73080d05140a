"""Did the migrated jobs come up? "Complete" only when every one reached its expected state.

- continuous: running on the new image for a while, without a restart;
- scheduled: loaded on the new image and, if it has run since, succeeded;
- the web service: running as above, and the web front answers.

The check waits a bounded time (``Services.sleep``, so tests move the
sandbox's clock), stops as soon as nothing is pending, and says for each job
what is pending or failing; the caller adds log excerpts for maintainers.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from bot.errors import SecretsUnreadable
from bot.front import FrontAnswer
from bot.log_secrets import secrets_to_hide
from bot.redact import redact_lines
from bot.reply import Code, Part, Strong, Text
from commands.migrate.state import WizardState

if TYPE_CHECKING:
    from bot.migration.plan import Plan
    from bot.toolforge import Job, ToolforgeClient

CHECK_SECONDS = 120  # the longest a check waits for jobs to settle
POLL_SECONDS = 10
STABLE_SECONDS = 30  # a new pod running this long without a restart is up
EXCERPT_LINES = 8
Outcome = Literal["ok", "pending", "failing"]


@dataclass(frozen=True, slots=True)
class Expected:
    name: str
    kind: str  # continuous or scheduled
    image: str
    web: bool = False
    last_run: str | None = None  # scheduled: its last run when the migration loaded it


@dataclass(frozen=True, slots=True)
class Verdict:
    name: str
    outcome: Outcome
    said: str
    job: Job | None = None


def expected_jobs(plan: Plan, state: WizardState) -> list[Expected]:
    found = [
        Expected(j.name, j.kind, j.image, web=j.publish, last_run=state.loaded_runs.get(j.name))
        for j in plan.jobs
    ]
    web = plan.web_job
    if web is not None and ("web" in state.done or "web" in state.skipped):
        found.append(Expected(web.name, web.kind, web.image, web=True))
    return found


async def wait_until_settled(
    client: ToolforgeClient,
    tool: str,
    expected: Sequence[Expected],
    sleep: Callable[[float], Awaitable[None]],
    probe: Callable[[], Awaitable[FrontAnswer]] | None,
) -> list[Verdict]:
    """Each expected job's verdict once none is pending, or when the wait is over."""
    polls = CHECK_SECONDS // POLL_SECONDS
    for poll in range(polls + 1):
        jobs = {job.name: job for job in await client.list_jobs(tool)}
        answer = None
        if probe is not None and any(e.web and _up(jobs.get(e.name)) for e in expected):
            answer = await probe()
        verdicts = [judge(e, jobs.get(e.name), answer) for e in expected]
        if poll == polls or all(v.outcome != "pending" for v in verdicts):
            return verdicts
        await sleep(POLL_SECONDS)
    raise AssertionError("unreachable")


def judge(expected: Expected, job: Job | None, front: FrontAnswer | None) -> Verdict:
    name = expected.name
    if job is None:
        return Verdict(name, "failing", "missing: it is not defined")
    if _image_key(job.image) != _image_key(expected.image):
        return Verdict(name, "failing", f"still on {job.image}", job)
    if expected.kind == "continuous":
        outcome, said = _continuous(expected, job, front)
    else:
        outcome, said = _scheduled(expected, job)
    return Verdict(name, outcome, said, job)


def _continuous(expected: Expected, job: Job, front: FrontAnswer | None) -> tuple[Outcome, str]:
    why = ", ".join(job.status_messages)
    if job.restarts > 0:
        return "failing", f"crash-looping ({why})"
    if job.state == "failed":
        return "failing", f"failed ({why or 'no reason given'})"
    if job.state != "running":
        return "pending", f"{job.state}" + (f" ({why})" if why else "")
    if _seconds(job.duration) < STABLE_SECONDS:
        return "pending", f"running for {job.duration or '0s'}; not yet {STABLE_SECONDS}s"
    if not expected.web:
        return "ok", f"running for {job.duration}"
    if front is None or not front.up:
        said = front.sentence() if front else "the web front was not asked"
        return "pending", f"running, but {said}"
    return "ok", f"running; {front.sentence()}"


def _scheduled(expected: Expected, job: Job) -> tuple[Outcome, str]:
    status = job.raw.get("status")
    status = status if isinstance(status, dict) else {}
    upcoming = status.get("next_schedule")
    later = f" (next run {upcoming})" if upcoming else ""
    ran = str(status.get("previous_schedule") or "")
    if expected.last_run is not None and ran == expected.last_run:
        return "ok", "loaded; it has not run since" + later
    why = ", ".join(job.status_messages)
    if job.state == "failed":
        return "failing", f"its run failed ({why or 'no reason given'})"
    if job.state == "running" or job.restarts > 0:
        return "pending", "its run is not finished" + (f" ({why})" if why else "")
    if job.state == "succeeded":
        return "ok", "ran and succeeded" + later
    return "ok", "loaded" + later


def _up(job: Job | None) -> bool:
    return job is not None and job.state == "running" and job.restarts == 0


def _image_key(image: str) -> list[str]:
    """``tool-x/tool-x:latest`` whatever registry host or digest the API shows with it."""
    return image.split("@", 1)[0].rsplit("/", 2)[-2:]


def _seconds(duration: str) -> int:
    units = {"d": 86400, "h": 3600, "m": 60, "s": 1}
    return sum(int(n) * units[u] for n, u in re.findall(r"(\d+)([dhms])", duration))


async def log_excerpt(client: ToolforgeClient, tool: str, job: Job) -> list[Part]:
    """The job's last log lines, redacted; none when its secrets cannot be read."""
    if job.filelog:
        out = job.raw.get("filelog_stdout") or f"{job.name}.out"
        return [Text.of(f"{job.name} writes its output to {out} in the tool home, which I "
                        "cannot read; look there.")]  # fmt: skip
    try:
        known = await secrets_to_hide(client, tool, f"log lines of {job.name}")
    except SecretsUnreadable as error:
        return [Text.of(error.sentence)]
    entries = await client.job_logs(tool, job.name, EXCERPT_LINES)
    lines = redact_lines([entry.message for entry in entries], known)
    if not lines:
        return [Text.of(f"{job.name} has written no log lines.")]
    return [Text.of(Strong(f"Last {len(lines)} log lines of {job.name}:")), Code("\n".join(lines))]
