"""The JSON of the sandbox GitLab's endpoints (see :mod:`._gitlab` for what it serves)."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from aiohttp import web

if TYPE_CHECKING:
    from bot.toolforge.sandbox._gitlab import FakeProject

_WHEN = "2026-11-01T00:00:00.000Z"


def error(status: int, message: str) -> web.Response:
    return web.json_response({"message": message}, status=status)


def sha(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def branch_sha(project: FakeProject, branch: str) -> str:
    """The head commit of a branch: it changes exactly when the branch's files do, and the
    project remembers it, so its files can be read at that commit later."""
    files = project.files[branch]
    commit = sha(repr(sorted(files.items())).encode())
    project.history.setdefault(commit, dict(files))
    return commit


def _commit(project: FakeProject, base: str, commit_sha: str, title: str) -> dict[str, Any]:
    return {
        "id": commit_sha, "short_id": commit_sha[:8], "title": title.split("\n")[0],
        "message": title, "author_name": "Bot", "author_email": "bot@example.test",
        "committer_name": "Bot", "committer_email": "bot@example.test", "created_at": _WHEN,
        "parent_ids": [], "web_url": f"{base}/{project.path}/-/commit/{commit_sha}",
    }  # fmt: skip


def _branch(project: FakeProject, base: str, name: str) -> dict[str, Any]:
    return {
        "name": name, "merged": False, "protected": name == project.default_branch,
        "default": name == project.default_branch, "developers_can_push": False,
        "developers_can_merge": False, "can_push": True,
        "web_url": f"{base}/{project.path}/-/tree/{name}",
        "commit": _commit(project, base, branch_sha(project, name), "head"),
    }  # fmt: skip


def project_json(project: FakeProject, base: str) -> dict[str, Any]:
    group, _, name = project.path.rpartition("/")
    web_url = f"{base}/{project.path}"
    return {
        "id": project.id, "name": name, "path": name, "path_with_namespace": project.path,
        "name_with_namespace": f"{group} / {name}", "default_branch": project.default_branch,
        "web_url": web_url, "http_url_to_repo": f"{web_url}.git",
        "namespace": {"id": 100 + project.id, "name": group, "path": group, "kind": "group",
                      "full_path": group},
        "visibility": project.visibility, "archived": False,
    }  # fmt: skip


def read(
    request: web.Request, project: FakeProject, rest: str, base: str, per_page: int
) -> web.StreamResponse:
    if rest == "":
        return web.json_response(project_json(project, base))
    if rest == "/repository/tree":
        return _tree(request, project, base, per_page)
    found = re.fullmatch(r"/repository/files/([^/]+)(/raw)?", rest)
    if found:
        return _file(project, unquote(found.group(1)), request, found.group(2))
    if rest == "/repository/branches":
        return web.json_response([_branch(project, base, b) for b in sorted(project.files)])
    found = re.fullmatch(r"/repository/branches/([^/]+)", rest)
    if found:
        name = unquote(found.group(1))
        if name not in project.files:
            return error(404, "404 Branch Not Found")
        return web.json_response(_branch(project, base, name))
    if rest == "/repository/commits":
        ref = request.query.get("ref_name", project.default_branch)
        if ref not in project.files:
            return error(404, "404 Commit Not Found")
        head = _commit(project, base, branch_sha(project, ref), "head")
        return web.json_response([head])
    if rest == "/merge_requests":
        state = request.query.get("state", "all")
        chosen = [mr for mr in project.merge_requests if state in ("all", mr["state"])]
        return web.json_response(chosen[::-1])
    found = re.fullmatch(r"/merge_requests/(\d+)", rest)
    if found:
        mr = _mr(project, int(found.group(1)))
        return web.json_response(mr) if mr else error(404, "404 Not found")
    return error(404, "404 Not Found")


def write(
    method: str, project: FakeProject, rest: str, body: dict[str, Any], base: str
) -> web.StreamResponse:
    if method == "POST" and rest == "/repository/branches":
        return _new_branch(project, body, base)
    if method == "POST" and rest == "/repository/commits":
        return _new_commit(project, body, base)
    if method == "POST" and rest == "/merge_requests":
        return _new_merge_request(project, body, base)
    found = re.fullmatch(r"/merge_requests/(\d+)/merge", rest)
    if method == "PUT" and found:
        mr = _mr(project, int(found.group(1)))
        if mr is None:
            return error(404, "404 Not found")
        if mr["state"] != "opened" or mr["source_branch"] not in project.files:
            return error(405, "405 Method Not Allowed")
        merge(project, mr)
        return web.json_response(mr)
    return error(404, "404 Not Found")


def _mr(project: FakeProject, iid: int) -> dict[str, Any] | None:
    return next((mr for mr in project.merge_requests if mr["iid"] == iid), None)


def merge(project: FakeProject, mr: dict[str, Any]) -> None:
    """Fast-forward the target branch to the source branch's files."""
    source, target = mr["source_branch"], mr["target_branch"]
    project.files[target] = dict(project.files[source])
    merged_sha = branch_sha(project, target)
    mr.update(state="merged", merge_commit_sha=merged_sha, merged_at=_WHEN,
              merge_status="can_be_merged", detailed_merge_status="not_open")  # fmt: skip
    if mr.get("remove_source_branch"):
        project.files.pop(source, None)


def _tree(
    request: web.Request, project: FakeProject, base: str, default_per_page: int
) -> web.StreamResponse:
    ref = request.query.get("ref", project.default_branch)
    if ref not in project.files:
        return error(404, "404 Tree Not Found")
    recursive = request.query.get("recursive", "false").lower() == "true"
    prefix = request.query.get("path", "").strip("/")
    entries = _tree_entries(project.files[ref], prefix, recursive, project.executable)
    page = int(request.query.get("page", "1"))
    per_page = int(request.query.get("per_page", str(default_per_page)))
    chunk = entries[(page - 1) * per_page : page * per_page]
    pages = max(1, -(-len(entries) // per_page))
    headers = {"X-Total": str(len(entries)), "X-Total-Pages": str(pages),
               "X-Per-Page": str(per_page), "X-Page": str(page)}  # fmt: skip
    if page < pages:
        next_query = dict(request.query, page=str(page + 1), per_page=str(per_page))
        next_url = f"{base}{request.rel_url.with_query(next_query)}"
        headers["X-Next-Page"] = str(page + 1)
        headers["Link"] = f'<{next_url}>; rel="next"'
    return web.json_response(chunk, headers=headers)


def _file(
    project: FakeProject, path: str, request: web.Request, raw: str | None
) -> web.StreamResponse:
    ref = request.query.get("ref", project.default_branch)
    content = (project.tree(ref) or {}).get(path)
    if content is None:
        return error(404, "404 File Not Found")
    data = content.encode()
    if raw:
        return web.Response(body=data, content_type="text/plain")
    head = branch_sha(project, ref) if ref in project.files else sha(ref.encode())
    return web.json_response({
        "file_name": path.rsplit("/", 1)[-1], "file_path": path, "size": len(data),
        "encoding": "base64", "content": base64.b64encode(data).decode(), "ref": ref,
        "blob_id": sha(data), "commit_id": head, "last_commit_id": head,
        "execute_filemode": path in project.executable,
    })  # fmt: skip


def _new_branch(project: FakeProject, body: dict[str, Any], base: str) -> web.StreamResponse:
    name, ref = body.get("branch"), body.get("ref")
    if not isinstance(name, str) or name in project.files:
        return error(400, "Branch already exists")
    if ref not in project.files:
        return error(400, "Invalid reference name")
    project.files[name] = dict(project.files[str(ref)])
    return web.json_response(_branch(project, base, name), status=201)


def _new_commit(project: FakeProject, body: dict[str, Any], base: str) -> web.StreamResponse:
    branch = body.get("branch")
    if branch not in project.files:
        return error(400, "You can only create or edit files when you are on a branch")
    tree = project.files[str(branch)]
    for action in body.get("actions", []):
        path, kind = action["file_path"], action["action"]
        if kind == "create" and path in tree:
            return error(400, "A file with this name already exists")
        if kind == "update" and path not in tree:
            return error(400, "A file with this name doesn't exist")
        tree[path] = action.get("content", "")
    project.commits.append(body)
    commit = _commit(
        project, base, branch_sha(project, str(branch)), body.get("commit_message", "")
    )
    return web.json_response({**commit, "stats": {"additions": 1, "deletions": 0, "total": 1}},
                             status=201)  # fmt: skip


def _new_merge_request(project: FakeProject, body: dict[str, Any], base: str) -> web.StreamResponse:
    iid = len(project.merge_requests) + 1
    mr = {
        "id": 5000 + iid, "iid": iid, "project_id": project.id, "title": body["title"],
        "description": body.get("description", ""), "state": "opened",
        "source_branch": body["source_branch"], "target_branch": body["target_branch"],
        "source_project_id": project.id, "target_project_id": project.id, "draft": False,
        "merge_status": "can_be_merged", "detailed_merge_status": "mergeable",
        "web_url": f"{base}/{project.path}/-/merge_requests/{iid}",
        "sha": branch_sha(project, body["source_branch"]) if body["source_branch"] in
        project.files else sha(str(iid).encode()),
        "author": {"id": 1, "username": "bot", "name": "Bot"}, "labels": [],
        "created_at": _WHEN, "updated_at": _WHEN, "merge_commit_sha": None,
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
    return {"id": sha(path.encode()), "name": name, "type": kind, "path": path, "mode": mode}
