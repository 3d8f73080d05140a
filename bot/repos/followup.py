"""What the migration reads back from GitLab after it opened a merge request.

Whether the merge request was merged (the build must use the change), and a
file at the exact commit a build used (its Procfile: the process types the
image has). python-gitlab is blocking, so each call runs in a worker thread;
every failure is a :class:`GitLabError` with a sentence.
"""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass

import gitlab.exceptions

from bot.errors import GitLabError
from bot.repos.gitlab import _read, connect, get_project, require_same_project
from bot.repos.location import GitLabLocation


@dataclass(frozen=True, slots=True)
class MergeRequestState:
    iid: int
    state: str  # GitLab's word: opened, merged, closed, locked
    source_branch: str
    target_branch: str
    web_url: str

    @property
    def merged(self) -> bool:
        return self.state == "merged"

    @property
    def open(self) -> bool:
        return self.state in ("opened", "locked")


async def read_merge_request(
    location: GitLabLocation, iid: int, *, token: str | None
) -> MergeRequestState:
    return await asyncio.to_thread(_merge_request, location, iid, token)


async def read_file_at(
    location: GitLabLocation, path: str, commit: str, *, token: str | None
) -> str | None:
    """The text of ``path`` at ``commit``; ``None`` when the commit has no such file."""
    return await asyncio.to_thread(_file_at, location, path, commit, token)


def _merge_request(location: GitLabLocation, iid: int, token: str | None) -> MergeRequestState:
    gl = connect(location.gitlab_url, token)
    project = get_project(gl, location, anonymous=not token)
    if token:
        require_same_project(project, location)
    missing = f"{location.project_path} has no merge request !{iid} any more."
    mr = _read(
        functools.partial(project.mergerequests.get, iid), location,
        f"read the merge request !{iid}", missing=missing,
    )  # fmt: skip
    return MergeRequestState(
        iid=iid,
        state=str(getattr(mr, "state", "") or "unknown"),
        source_branch=str(getattr(mr, "source_branch", "") or ""),
        target_branch=str(getattr(mr, "target_branch", "") or ""),
        web_url=str(getattr(mr, "web_url", "") or ""),
    )


def _file_at(location: GitLabLocation, path: str, commit: str, token: str | None) -> str | None:
    gl = connect(location.gitlab_url, token)
    project = get_project(gl, location, anonymous=not token)
    if token:
        require_same_project(project, location)
    try:
        data = _read(
            functools.partial(project.files.raw, file_path=path, ref=commit),
            location, f"read {path} at {commit[:12]}",
        )  # fmt: skip
    except GitLabError as error:
        if isinstance(error.__cause__, gitlab.exceptions.GitlabError) and (
            getattr(error.__cause__, "response_code", None) == 404
        ):
            return None
        raise
    raw = data if isinstance(data, bytes) else str(data).encode()
    return raw.decode("utf-8", errors="replace")
