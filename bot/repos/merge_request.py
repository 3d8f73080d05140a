"""Open a merge request that adds exactly the planned files to the tool's repository.

python-gitlab is blocking, so :func:`open_merge_request` runs it in a worker
thread. One branch, one commit with one action per planned file, one MR.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

import gitlab.exceptions
import requests

from bot.errors import GitLabError
from bot.migration.plan import Plan, PlannedFile
from bot.repos.gitlab import (
    connect,
    get_project,
    gitlab_error,
    require_same_project,
    unreachable,
)
from bot.repos.location import GitLabLocation

DEFAULT_BRANCH = "forgebot/build-service"
TITLE = "Build with the Toolforge build service"


@dataclass(frozen=True, slots=True)
class MergeRequestResult:
    url: str
    iid: int
    branch: str
    files: tuple[str, ...]


def description(plan: Plan) -> str:
    lines = [
        f"This merge request prepares **{plan.tool}** for the Toolforge build service "
        f"(image `{plan.image}`). It was planned by forgebot.",
        "",
        "Files:",
        *(f"- `{f.path}` ({f.action}): {f.reason}" for f in plan.files),
        "",
        "After merging:",
        *(f"1. `{step}`" for step in plan.steps[1:]),
    ]
    if plan.warnings:
        lines += ["", "To check by hand:"]
        lines += [f"- [ ] {p.message} ([guide]({p.guide}))" for p in plan.warnings]
    return "\n".join(lines) + "\n"


async def open_merge_request(
    location: GitLabLocation,
    plan: Plan,
    *,
    token: str | None,
    branch: str = DEFAULT_BRANCH,
    target: str | None = None,
) -> MergeRequestResult:
    return await asyncio.to_thread(
        open_merge_request_sync,
        location,
        plan.files,
        token=token,
        branch=branch,
        target=target,
        title=TITLE,
        body=description(plan),
    )


def open_merge_request_sync(
    location: GitLabLocation,
    files: Sequence[PlannedFile],
    *,
    token: str | None,
    branch: str = DEFAULT_BRANCH,
    target: str | None = None,
    title: str = TITLE,
    body: str = "",
) -> MergeRequestResult:
    if not files:
        raise GitLabError("The plan adds no files, so there is nothing to propose.")
    gl = connect(location.gitlab_url, token)
    project = get_project(gl, location)
    require_same_project(project, location)
    base = target or getattr(project, "default_branch", None) or "main"
    step = "read the file list"
    try:
        existing = {
            item["path"]
            for item in project.repository_tree(ref=base, recursive=True, get_all=True)
            if item.get("type") == "blob"
        }
        step = "create the branch"
        try:
            project.branches.create({"branch": branch, "ref": base})
        except gitlab.exceptions.GitlabCreateError as exc:
            if exc.response_code == 400 and "exist" in str(exc.error_message).lower():
                raise GitLabError(
                    f"The branch '{branch}' already exists in {location.project_path}: an earlier "
                    "merge request may be open. Merge or close it and delete the branch first."
                ) from exc
            raise
        step = "commit the files"
        actions = [
            {
                "action": "update" if f.path in existing else "create",
                "file_path": f.path,
                "content": f.content,
            }
            for f in files
        ]
        project.commits.create(
            {"branch": branch, "commit_message": f"{title}\n\n{body}", "actions": actions}
        )
        step = "open the merge request"
        mr = project.mergerequests.create(
            {
                "source_branch": branch,
                "target_branch": base,
                "title": title,
                "description": body,
                "remove_source_branch": True,
            }
        )
    except gitlab.exceptions.GitlabError as exc:
        raise gitlab_error(exc, step, location) from exc
    except requests.RequestException as exc:
        raise unreachable(location) from exc
    return MergeRequestResult(
        url=str(getattr(mr, "web_url", "")),
        iid=int(getattr(mr, "iid", 0)),
        branch=branch,
        files=tuple(f.path for f in files),
    )
