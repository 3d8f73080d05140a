"""A fake GitLab v4 API on 127.0.0.1:0 for the real python-gitlab client.

In-memory projects with branches of files, merge requests and a request log.
It answers the endpoints python-gitlab calls for reading a repository and
opening a merge request, with the JSON shapes of a real GitLab (see
shared/reference/protocol-testing.md section 4). Routes match the raw path,
because project and file paths arrive %2F-encoded in one segment.
Private projects are invisible (404) without a token that may read them;
writing needs a token in ``writers`` (else 403), as GitLab does for Reporters.
The request log keeps the token each request carried ("" for anonymous).
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from aiohttp import web

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


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    status: int
    token: str = ""


class FakeGitLab:
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
        project = FakeProject(
            id=len(self.projects) + 1,
            path=path,
            files={"main": dict(files)},
            visibility=visibility,
            writers=set(writers or ()),
            readers=set(readers or ()) | set(writers or ()),
            executable=set(executable or ()),
        )
        self.projects[path] = project
        return project

    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # -- dispatch ---------------------------------------------------------

    def fail_next(self, status: int, count: int = 1) -> None:
        """Answer the next ``count`` requests with ``status`` (a GitLab having a bad moment)."""
        self._failures += [status] * count

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        raw = request.raw_path.split("?", 1)[0]
        if self._failures:
            response: web.StreamResponse = _error(self._failures.pop(0), "injected failure")
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
            return _error(404, "404 Not Found")
        project = self._project(unquote(match.group(1)))
        token = request.headers.get("PRIVATE-TOKEN", "")
        if project is None or (project.visibility != "public" and token not in project.readers):
            return _error(404, "404 Project Not Found")
        rest = match.group(2) or ""
        if request.method == "GET" and rest == "":
            return web.json_response(self._project_json(project))
        if request.method == "GET" and rest == "/repository/tree":
            return self._tree(request, project)
        file_match = re.fullmatch(r"/repository/files/([^/]+)(/raw)?", rest)
        if request.method == "GET" and file_match:
            return self._file(project, unquote(file_match.group(1)), request, file_match.group(2))
        if request.method == "POST":
            if token not in project.writers:
                return _error(403, "403 Forbidden")
            body = await request.json()
            if rest == "/repository/branches":
                return self._branch(project, body)
            if rest == "/repository/commits":
                return self._commit(project, body)
            if rest == "/merge_requests":
                return self._merge_request(project, body)
        return _error(404, "404 Not Found")

    def _project(self, key: str) -> FakeProject | None:
        if key.isdigit():
            return next((p for p in self.projects.values() if p.id == int(key)), None)
        return self.projects.get(key)

    def _project_json(self, project: FakeProject) -> dict[str, Any]:
        group, _, name = project.path.rpartition("/")
        web_url = f"{self.url}/{project.path}"
        return {
            "id": project.id, "name": name, "path": name, "path_with_namespace": project.path,
            "name_with_namespace": f"{group} / {name}", "default_branch": project.default_branch,
            "web_url": web_url, "http_url_to_repo": f"{web_url}.git",
            "namespace": {"id": 100 + project.id, "name": group, "path": group, "kind": "group",
                          "full_path": group},
            "visibility": project.visibility, "archived": False,
        }  # fmt: skip

    def _tree(self, request: web.Request, project: FakeProject) -> web.StreamResponse:
        ref = request.query.get("ref", project.default_branch)
        if ref not in project.files:
            return _error(404, "404 Tree Not Found")
        recursive = request.query.get("recursive", "false").lower() == "true"
        base = request.query.get("path", "").strip("/")
        entries = _tree_entries(project.files[ref], base, recursive, project.executable)
        page = int(request.query.get("page", "1"))
        per_page = int(request.query.get("per_page", str(self.per_page)))
        chunk = entries[(page - 1) * per_page : page * per_page]
        pages = max(1, -(-len(entries) // per_page))
        headers = {"X-Total": str(len(entries)), "X-Total-Pages": str(pages),
                   "X-Per-Page": str(per_page), "X-Page": str(page)}  # fmt: skip
        if page < pages:
            next_query = dict(request.query, page=str(page + 1), per_page=str(per_page))
            next_url = f"{self.url}{request.rel_url.with_query(next_query)}"
            headers["X-Next-Page"] = str(page + 1)
            headers["Link"] = f'<{next_url}>; rel="next"'
        return web.json_response(chunk, headers=headers)

    def _file(
        self, project: FakeProject, path: str, request: web.Request, raw: str | None
    ) -> web.StreamResponse:
        ref = request.query.get("ref", project.default_branch)
        content = project.files.get(ref, {}).get(path)
        if content is None:
            return _error(404, "404 File Not Found")
        data = content.encode()
        if raw:
            return web.Response(body=data, content_type="text/plain")
        return web.json_response({
            "file_name": path.rsplit("/", 1)[-1], "file_path": path, "size": len(data),
            "encoding": "base64", "content": base64.b64encode(data).decode(), "ref": ref,
            "blob_id": _sha(data), "commit_id": _sha(ref.encode()),
            "last_commit_id": _sha(ref.encode()), "execute_filemode": path in project.executable,
        })  # fmt: skip

    def _branch(self, project: FakeProject, body: dict[str, Any]) -> web.StreamResponse:
        name, ref = body.get("branch"), body.get("ref")
        if name in project.files:
            return _error(400, "Branch already exists")
        if ref not in project.files:
            return _error(400, "Invalid reference name")
        project.files[name] = dict(project.files[ref])
        return web.json_response({
            "name": name, "merged": False, "protected": False, "default": False,
            "developers_can_push": False, "developers_can_merge": False, "can_push": True,
            "web_url": f"{self.url}/{project.path}/-/tree/{name}",
            "commit": {"id": _sha(name.encode()), "short_id": _sha(name.encode())[:8],
                       "title": "base", "message": "base", "parent_ids": [],
                       "created_at": "2024-01-01T00:00:00.000Z"},
        }, status=201)  # fmt: skip

    def _commit(self, project: FakeProject, body: dict[str, Any]) -> web.StreamResponse:
        branch = body.get("branch")
        if branch not in project.files:
            return _error(400, "You can only create or edit files when you are on a branch")
        tree = project.files[branch]
        for action in body.get("actions", []):
            path, kind = action["file_path"], action["action"]
            if kind == "create" and path in tree:
                return _error(400, "A file with this name already exists")
            if kind == "update" and path not in tree:
                return _error(400, "A file with this name doesn't exist")
            tree[path] = action.get("content", "")
        project.commits.append(body)
        sha = _sha(repr(body).encode())
        return web.json_response({
            "id": sha, "short_id": sha[:8], "title": body.get("commit_message", "").split("\n")[0],
            "message": body.get("commit_message", ""), "author_name": "Bot",
            "author_email": "bot@example.test", "committer_name": "Bot",
            "committer_email": "bot@example.test", "created_at": "2024-01-01T00:00:00.000Z",
            "parent_ids": [], "web_url": f"{self.url}/{project.path}/-/commit/{sha}",
            "stats": {"additions": 1, "deletions": 0, "total": 1},
        }, status=201)  # fmt: skip

    def _merge_request(self, project: FakeProject, body: dict[str, Any]) -> web.StreamResponse:
        iid = len(project.merge_requests) + 1
        mr = {
            "id": 5000 + iid, "iid": iid, "project_id": project.id, "title": body["title"],
            "description": body.get("description", ""), "state": "opened",
            "source_branch": body["source_branch"], "target_branch": body["target_branch"],
            "source_project_id": project.id, "target_project_id": project.id, "draft": False,
            "merge_status": "can_be_merged", "detailed_merge_status": "mergeable",
            "web_url": f"{self.url}/{project.path}/-/merge_requests/{iid}",
            "sha": _sha(str(iid).encode()), "author": {"id": 1, "username": "bot", "name": "Bot"},
            "labels": [], "created_at": "2024-01-01T00:00:00Z",
            "updated_at": "2024-01-01T00:00:00Z",
            "remove_source_branch": body.get("remove_source_branch"),
        }  # fmt: skip
        project.merge_requests.append(mr)
        return web.json_response(mr, status=201)


def _tree_entries(
    files: dict[str, str], base: str, recursive: bool, executable: set[str]
) -> list[dict[str, Any]]:
    entries: dict[str, dict[str, Any]] = {}
    prefix = f"{base}/" if base else ""
    for path in sorted(files):
        if not path.startswith(prefix):
            continue
        parts = path[len(prefix) :].split("/")
        for depth in range(1, len(parts)):
            if not recursive and depth > 1:
                break
            tree_path = prefix + "/".join(parts[:depth])
            entries.setdefault(tree_path, _entry(tree_path, "tree", "040000"))
        if recursive or len(parts) == 1:
            mode = "100755" if path in executable else "100644"
            entries[path] = _entry(path, "blob", mode)
    return [entries[k] for k in sorted(entries)]


def _entry(path: str, kind: str, mode: str) -> dict[str, Any]:
    name = path.rsplit("/", 1)[-1]
    return {"id": _sha(path.encode()), "name": name, "type": kind, "path": path, "mode": mode}


def _sha(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"message": message}, status=status)
