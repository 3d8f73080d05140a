"""The migration's actions against the world: GitLab and the Toolforge APIs.

Each function does one step of a plan and returns a sentence saying what
happened; failures raise the services' own errors (a sentence each).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.errors import GitLabError, SecretsUnreadable
from bot.job_view import failure_excerpt
from bot.log_secrets import secrets_to_hide
from bot.migration.apispec import job_spec
from bot.migration.plan import Plan
from bot.redact import redact, redact_lines
from bot.repos.location import GitLabLocation

if TYPE_CHECKING:
    from bot.toolforge import Build, Job, ToolforgeClient

@dataclass(frozen=True, slots=True)
class BuildProgress:
    state: str  # the CLI's word: pending, running, ok, error, cancelled, timeout, unknown
    finished: bool
    message: str
    excerpt: tuple[str, ...] = ()


async def open_mr(location: GitLabLocation, plan: Plan, token: str | None) -> tuple[str, str]:
    """Open the merge request on ``location`` (the repository the caller has bound to
    the tool, on the configured GitLab); returns (url, sentence)."""
    if not token:
        raise GitLabError(
            "I have no GitLab token, so I cannot open a merge request: commit the planned "
            "files yourself (see 'migrate plan'), then 'migrate skip'."
        )
    from bot.repos.merge_request import open_merge_request  # python-gitlab, only when used

    result = await open_merge_request(location, plan, token=token)
    files = ", ".join(result.files)
    return result.url, f"Merge request opened with {files}: {result.url}"


async def start_build(client: ToolforgeClient, plan: Plan) -> tuple[str, str]:
    build_id = await client.start_build(plan.tool, plan.clone_url, ref=plan.ref or None)
    return build_id, f"Build {build_id} started from {plan.clone_url}."


async def build_progress(client: ToolforgeClient, tool: str, build_id: str) -> BuildProgress:
    build: Build = await client.get_build(tool, build_id)
    if build.state == "ok":
        return BuildProgress("ok", True, f"Build {build_id} succeeded: {build.destination_image}")
    if not build.finished:
        return BuildProgress(build.state, False, f"Build {build_id} is {build.state}.")
    ended = f"Build {build_id} ended with {build.state}"
    try:
        known = await secrets_to_hide(client, tool, "part of its log or message")
    except SecretsUnreadable as error:
        return BuildProgress(build.state, True, f"{ended}. {error.sentence}")
    lines = await client.build_logs(tool, build_id)
    message = redact(build.message or "no reason given", known)
    return BuildProgress(
        build.state,
        True,
        f"{ended}: {message}",
        tuple(redact_lines(failure_excerpt(lines), known)),
    )


async def load_jobs(client: ToolforgeClient, plan: Plan) -> str:
    results = []
    for job in plan.jobs:
        message = await client.load_job(plan.tool, job_spec(job))
        results.append(f"{job.name}: {message}")
    return "Jobs loaded. " + "; ".join(results)


async def delete_jobs(client: ToolforgeClient, plan: Plan) -> str:
    for name in plan.delete_jobs:
        await client.delete_job(plan.tool, name)
    return "Deleted " + ", ".join(plan.delete_jobs) + "."


async def restart_web(client: ToolforgeClient, tool: str, job: str) -> str:
    return await client.restart_job(tool, job)


CHECK_POLLS, CHECK_POLL_SECONDS = 10, 3  # a new pod needs some seconds to show how it does


def _starting(job: Job) -> bool:
    """A continuous job whose new pod has not yet shown whether it stays up."""
    if job.job_type != "continuous" or job.restarts > 0:
        return False
    return job.state == "pending" or (job.state == "running" and _seconds(job.duration) < 10)


def _seconds(duration: str) -> int:
    units = {"d": 86400, "h": 3600, "m": 60, "s": 1}
    return sum(int(n) * units[u] for n, u in re.findall(r"(\d+)([dhms])", duration))


async def check_jobs(
    client: ToolforgeClient, plan: Plan, sleep: Callable[[float], Awaitable[None]]
) -> tuple[bool, list[tuple[str, str]]]:
    """Whether every planned job exists on the new image and is not failing, once the
    continuous ones have had a few seconds to start (or crash)."""
    planned = {job.name for job in plan.jobs}
    for _ in range(CHECK_POLLS):
        current = {j.name: j for j in await client.list_jobs(plan.tool)}
        if not any(_starting(job) for name, job in current.items() if name in planned):
            break
        await sleep(CHECK_POLL_SECONDS)
    rows: list[tuple[str, str]] = []
    healthy = True
    for job in plan.jobs:
        found = current.get(job.name)
        if found is None:
            rows.append((job.name, "missing"))
            healthy = False
        elif found.image.rsplit("/", 2)[-2:] != job.image.rsplit("/", 2)[-2:]:
            rows.append((job.name, f"still on {found.image}"))
            healthy = False
        elif found.state == "failed" or (found.state == "pending" and found.restarts > 0):
            why = ", ".join(found.status_messages) or found.state
            rows.append((job.name, f"crash-looping ({why})" if found.restarts else why))
            healthy = False
        else:
            rows.append((job.name, found.state))
    return healthy, rows
