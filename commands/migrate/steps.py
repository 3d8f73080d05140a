"""The migration's actions against the world: GitLab and the Toolforge APIs.

Each function does one step of a plan and returns a sentence saying what
happened; failures raise the services' own errors (a sentence each).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.errors import GitLabError, SecretsUnreadable
from bot.job_view import failure_excerpt
from bot.log_secrets import secrets_to_hide
from bot.redact import redact, redact_lines
from bot.repos.location import GitLabLocation

if TYPE_CHECKING:
    from bot.migration.plan import Plan
    from bot.repos.merge_request import MergeRequestResult
    from bot.toolforge import Build, ToolforgeClient

@dataclass(frozen=True, slots=True)
class BuildProgress:
    state: str  # the CLI's word: pending, running, ok, error, cancelled, timeout, unknown
    finished: bool
    message: str
    excerpt: tuple[str, ...] = ()


async def open_mr(
    location: GitLabLocation, plan: Plan, token: str | None
) -> tuple[MergeRequestResult, str]:
    """Open the merge request on ``location`` (the repository the caller has bound to
    the tool, on the configured GitLab), into the branch the plan read; returns it and a
    sentence."""
    if not token:
        raise GitLabError(
            "I have no GitLab token, so I cannot open a merge request: commit the planned "
            "files yourself (see 'migrate plan'), then 'migrate skip'."
        )
    from bot.repos.merge_request import open_merge_request  # python-gitlab, only when used

    result = await open_merge_request(location, plan, token=token, target=plan.ref or None)
    files = ", ".join(result.files)
    return result, f"Merge request !{result.iid} opened with {files}: {result.url}"


async def start_build(client: ToolforgeClient, plan: Plan, ref: str, label: str) -> tuple[str, str]:
    build_id = await client.start_build(plan.tool, plan.clone_url, ref=ref or None)
    return build_id, f"Build {build_id} started from {plan.clone_url} at {label}."


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
    from bot.migration.apispec import job_spec

    results = []
    for job in plan.jobs:
        message = await client.load_job(plan.tool, job_spec(job))
        results.append(f"{job.name}: {message}")
    return "Jobs loaded. " + "; ".join(results)


async def delete_jobs(client: ToolforgeClient, plan: Plan) -> str:
    for name in plan.delete_jobs:
        await client.delete_job(plan.tool, name)
    return "Deleted " + ", ".join(plan.delete_jobs) + "."


async def last_runs(client: ToolforgeClient, plan: Plan) -> dict[str, str]:
    """Each planned scheduled job's last run as the API shows it now ("" if none)."""
    wanted = {job.name for job in plan.jobs if job.kind == "scheduled"}
    runs: dict[str, str] = {}
    for job in await client.list_jobs(plan.tool):
        if job.name in wanted:
            status = job.raw.get("status")
            ran = status.get("previous_schedule") if isinstance(status, dict) else None
            runs[job.name] = str(ran or "")
    return runs
