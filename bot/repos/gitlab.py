"""Reading a repository through GitLab's API with python-gitlab (blocking: run in a thread).

Any GitLab instance works; ``gitlab.wikimedia.org`` is the default for bare
``group/project`` paths. Every failure becomes a :class:`GitLabError`
carrying a sentence the user can act on.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import gitlab
import gitlab.exceptions
import requests
from gitlab.v4.objects import Project

from bot.backoff import Backoff
from bot.errors import GitLabError
from bot.migration.snapshot import RepoSource, Snapshot, decode, select
from bot.redact import redact
from bot.repos.cache import RequestBudget, SnapshotCache
from bot.repos.location import GitLabLocation, without_userinfo

TIMEOUT_SECONDS = 20
READ_ATTEMPTS = 3
TREE_PAGE = 100  # entries per page of the file list (GitLab's maximum)
MAX_REQUESTS = 150  # per inspection: a 3,000-file repository once cost 3,063
_TRANSIENT = frozenset({429, 500, 502, 503, 504})
T = TypeVar("T")


def connect(gitlab_url: str, token: str | None = None) -> gitlab.Gitlab:
    return gitlab.Gitlab(gitlab_url, private_token=token or None, timeout=TIMEOUT_SECONDS)


def read_gitlab(
    location: GitLabLocation,
    *,
    token: str | None = None,
    ref: str | None = None,
    cache: SnapshotCache | None = None,
) -> Snapshot:
    """The repository's snapshot at the head of ``ref`` (default branch if none).

    With a ``cache``, a commit already read costs two requests (the project and
    the branch's head) instead of one per file.
    """
    gl = connect(location.gitlab_url, token)
    project = get_project(gl, location, anonymous=not token)
    if token:
        require_same_project(project, location)
    branch = ref or getattr(project, "default_branch", None) or "main"
    missing = (
        f"{location.project_path} has no branch or tag '{branch}' (or the repository is empty)."
    )
    head = _head(project, branch, location, missing)
    key = (location.gitlab_url.lower(), location.project_path.lower(), head, bool(token))
    if cache is not None and (found := cache.get(key)) is not None:
        return found
    snapshot = _read_snapshot(project, branch, location, missing)
    if cache is not None:
        cache.put(key, snapshot)
    return snapshot


def _head(project: Project, branch: str, location: GitLabLocation, missing: str) -> str:
    """The commit at the head of ``branch`` (a tag or a commit id is its own head)."""
    try:
        found = _read(
            functools.partial(project.branches.get, branch), location, "read the branch",
            missing=missing,
        )  # fmt: skip
    except GitLabError:
        return branch  # not a branch: a tag or a commit, which do not move (or an error later)
    commit = getattr(found, "commit", None) or {}
    return str(commit.get("id") or branch)


def _read_snapshot(
    project: Project, branch: str, location: GitLabLocation, missing: str
) -> Snapshot:
    budget = RequestBudget(MAX_REQUESTS - 2)  # the project and the branch were read already
    listed = _read(
        lambda: list(_tree(project, branch, budget)), location, "read the file list",
        missing=missing,
    )  # fmt: skip
    blobs = [item for item in listed if item.get("type") == "blob"]
    paths = tuple(item["path"] for item in blobs)
    executable = frozenset(item["path"] for item in blobs if item.get("mode") == "100755")
    contents: dict[str, str] = {}
    for path in select(paths):
        if not budget.take():
            break
        data = _read(
            functools.partial(project.files.raw, file_path=path, ref=branch),
            location,
            f"read {path}",
        )
        text = decode(data if isinstance(data, bytes) else bytes(str(data), "utf-8"))
        if text is not None:
            contents[path] = text
    source = RepoSource(
        location=location.web_url,
        kind="gitlab",
        ref=branch,
        web_url=getattr(project, "web_url", location.web_url),
        clone_url=getattr(project, "http_url_to_repo", f"{location.web_url}.git"),
        project_path=getattr(project, "path_with_namespace", location.project_path),
        gitlab_url=location.gitlab_url,
        visibility=getattr(project, "visibility", ""),
        default_branch=getattr(project, "default_branch", "") or "",
    )
    return Snapshot(source, paths, contents, executable, truncated=budget.spent_out)


def _tree(project: Project, branch: str, budget: RequestBudget) -> Iterator[dict[str, Any]]:
    """The file list, page by page, while the budget lasts (a page costs one request)."""
    listing = project.repository_tree(
        ref=branch, recursive=True, iterator=True, per_page=TREE_PAGE
    )
    for index, item in enumerate(listing):
        if index % TREE_PAGE == 0 and not budget.take():
            return
        yield item


def get_project(gl: gitlab.Gitlab, location: GitLabLocation, *, anonymous: bool = False) -> Project:
    missing = None
    if anonymous:
        missing = (
            f"GitLab has no project '{location.project_path}' at {location.gitlab_url} (404) "
            "that I can read without a token: it does not exist or it is not public. I "
            "read only public repositories for you, and the build service builds only "
            "public ones."
        )
    project: Project = _read(
        functools.partial(gl.projects.get, location.project_path),
        location,
        "read the project",
        missing=missing,
    )
    return project


def _read(
    call: Callable[[], T], location: GitLabLocation, action: str, *, missing: str | None = None
) -> T:
    """One read; a refused connection or a 429/5xx is tried again after a wait.

    ``missing`` is the sentence for a 404, when it means something particular here.
    """
    backoff = Backoff(0.25, 2.0)
    for attempt in range(1, READ_ATTEMPTS + 1):
        last = attempt == READ_ATTEMPTS
        try:
            return call()
        except gitlab.exceptions.GitlabError as exc:
            code = getattr(exc, "response_code", None)
            if code == 404 and missing is not None:
                raise GitLabError(missing) from exc
            if last or code not in _TRANSIENT:
                raise gitlab_error(exc, action, location) from exc
        except requests.ConnectionError as exc:
            if last:
                raise unreachable(location) from exc
        except requests.RequestException as exc:  # a timeout: waiting again would double it
            raise unreachable(location) from exc
        backoff.wait_blocking()
    raise AssertionError("unreachable")


def require_same_project(project: Project, location: GitLabLocation) -> None:
    """GitLab follows a moved project's old path: never use a token somewhere else."""
    found = str(getattr(project, "path_with_namespace", location.project_path))
    if found.lower() != location.project_path.lower():
        raise GitLabError(
            f"{location.web_url} has moved to {found}; nothing was read or changed. Name the "
            "repository by its current path."
        )


def unreachable(location: GitLabLocation) -> GitLabError:
    return GitLabError(
        f"GitLab at {location.gitlab_url} did not answer in time; nothing was read or changed."
    )


def gitlab_error(
    exc: gitlab.exceptions.GitlabError, action: str, location: GitLabLocation
) -> GitLabError:
    """A sentence for a python-gitlab error while trying to ``action``."""
    code = getattr(exc, "response_code", None)
    path = location.project_path
    if code == 401 or isinstance(exc, gitlab.exceptions.GitlabAuthenticationError):
        return GitLabError(
            f"GitLab at {location.gitlab_url} refused the access token (401) while trying to "
            f"{action}; check the token configured for forgebot."
        )
    if code == 404:
        return GitLabError(
            f"GitLab has no project '{path}' at {location.gitlab_url} (404), or it is private "
            "and the token cannot see it."
        )
    if code == 403:
        return GitLabError(
            f"GitLab does not allow forgebot to {action} in '{path}' (403): the token needs "
            "Developer access to the project."
        )
    message = without_userinfo(str(getattr(exc, "error_message", "") or exc))
    return GitLabError(
        redact(f"GitLab answered {code or 'an error'} while trying to {action}: {message}")
    )
