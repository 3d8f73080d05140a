"""An offline GitLab v4 API for the real python-gitlab client (and the sandbox's builds).

In-memory projects with branches of files, commits and merge requests, served
on their own port. It answers the endpoints python-gitlab calls to read a
repository, open a merge request and follow it (projects, tree, files at a
branch or a commit, branches, commits, merge requests and their merge), with
the JSON shapes of a real GitLab (see shared/reference/protocol-testing.md
section 4). Routes match the raw path, because project and file paths arrive
%2F-encoded in one segment. Private projects are invisible (404) without a
token that may read them; writing needs a token in ``writers`` (else 403), as
GitLab does for Reporters. The request log keeps the token each request carried.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from aiohttp import web

from bot.toolforge.sandbox import _gitlab_api as api

API = "/api/v4"


@dataclass
class FakeProject:
    id: int
    path: str  # "group/name"
    files: dict[str, dict[str, str]]  # branch -> path -> content
    default_branch: str = "main"
    visibility: str = "public"
    readers: set[str] = field(default_factory=set)
    writers: set[str] = field(default_factory=set)
    executable: set[str] = field(default_factory=set)
    commits: list[dict[str, Any]] = field(default_factory=list)
    merge_requests: list[dict[str, Any]] = field(default_factory=list)
    # every commit a branch has pointed at: a commit is its files (see _gitlab_api.branch_sha)
    history: dict[str, dict[str, str]] = field(default_factory=dict)

    def tree(self, ref: str) -> dict[str, str] | None:
        """The files at a branch or at a commit the project has had, else None."""
        found = self.files.get(ref)
        return found if found is not None else self.history.get(ref)


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    status: int
    token: str = ""


class GitLab:
    def __init__(self, per_page: int = 20) -> None:
        self.projects: dict[str, FakeProject] = {}
        self.requests: list[Recorded] = []
        self.per_page = per_page
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._failures: list[int] = []

    def add_project(
        self,
        path: str,
        files: dict[str, str],
        *,
        visibility: str = "public",
        writers: set[str] | None = None,
        readers: set[str] | None = None,
        executable: set[str] | None = None,
    ) -> FakeProject:
        old = self.projects.get(path)
        project = FakeProject(
            id=old.id if old else len(self.projects) + 1,
            path=path,
            files={"main": dict(files)},
            visibility=visibility,
            writers=set(writers or ()),
            readers=set(readers or ()) | set(writers or ()),
            executable=set(executable or ()),
        )
        self.projects[path] = project
        return project

    async def start(self, host: str = "127.0.0.1") -> str:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, 0).start()
        port = self._runner.addresses[0][1]
        self.url = f"http://{host}:{port}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- what the sandbox does with it -----------------------------------

    def read_repository(self, url: str, ref: str) -> tuple[str, dict[str, str]] | None:
        """``git ls-remote`` and a clone: (sha, files) of ``ref``; None for another host.
        Raises ValueError (with git's words) when the project or the ref is not there."""
        parts = urlsplit(url)
        if not self.url or f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}" != self.url:
            return None
        path = parts.path.strip("/").removesuffix(".git")
        project = self.projects.get(path)
        if project is None or project.visibility != "public":
            raise ValueError("exit status 128")
        branch = project.default_branch if ref in ("", "HEAD") else ref
        if branch not in project.files:
            if ref in project.history:  # a commit id
                return ref, dict(project.history[ref])
            raise ValueError(f"unable to resolve ref {ref} from {url}")
        return api.branch_sha(project, branch), dict(project.files[branch])

    def merge(self, path: str, iid: int | None = None) -> str:
        """Merge an open merge request (the newest, unless ``iid`` is given) as its user would."""
        project = self.projects.get(path)
        if project is None:
            return f"there is no project {path} in the sandbox's GitLab"
        open_ones = [mr for mr in project.merge_requests if mr["state"] == "opened"]
        chosen = [mr for mr in open_ones if iid is None or mr["iid"] == iid]
        if not chosen:
            return f"{path} has no open merge request" + (f" !{iid}" if iid else "")
        mr = chosen[-1]
        api.merge(project, mr)
        return f"merged !{mr['iid']} ({mr['title']}) into {mr['target_branch']} of {path}"

    def describe_merge_requests(self, tool: str | None) -> list[str]:
        lines = []
        for project in self.projects.values():
            if tool and project.path != f"toolforge-repos/{tool}":
                continue
            for mr in project.merge_requests:
                lines.append(f"{project.path}!{mr['iid']} [{mr['state']}] {mr['title']}")
        return lines or ["sandbox: no merge requests"]

    # -- dispatch ---------------------------------------------------------

    def fail_next(self, status: int, count: int = 1) -> None:
        """Answer the next ``count`` requests with ``status`` (a GitLab having a bad moment)."""
        self._failures += [status] * count

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        raw = request.raw_path.split("?", 1)[0]
        if self._failures:
            response: web.StreamResponse = api.error(self._failures.pop(0), "injected failure")
        else:
            response = await self._route(request, raw)
        token = request.headers.get("PRIVATE-TOKEN", "")
        self.requests.append(
            Recorded(request.method, raw, dict(request.query), response.status, token)
        )
        return response

    async def _route(self, request: web.Request, raw: str) -> web.StreamResponse:
        match = re.fullmatch(rf"{API}/projects/([^/]+)(/.*)?", raw)
        if not match:
            return api.error(404, "404 Not Found")
        project = self._project(unquote(match.group(1)))
        token = request.headers.get("PRIVATE-TOKEN", "")
        if project is None or (project.visibility != "public" and token not in project.readers):
            return api.error(404, "404 Project Not Found")
        rest = match.group(2) or ""
        base = self.url
        if request.method == "GET":
            return api.read(request, project, rest, base, self.per_page)
        if request.method in ("POST", "PUT"):
            if token not in project.writers:
                return api.error(403, "403 Forbidden")
            body = await request.json() if request.can_read_body else {}
            return api.write(request.method, project, rest, body, base)
        return api.error(404, "404 Not Found")

    def _project(self, key: str) -> FakeProject | None:
        if key.isdigit():
            return next((p for p in self.projects.values() if p.id == int(key)), None)
        return self.projects.get(key)


FakeGitLab = GitLab  # the name the tests knew it by
