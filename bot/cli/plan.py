"""``forgebot plan``: the migration plan for a repository, offline, as text or JSON.

    forgebot plan [--repo <path-or-url>] [--grid FILE] [--tool NAME] [--format text|json]

Without ``--repo`` the plan keeps the jobs on pre-built images (``--tool`` names the tool).

``--grid`` reads crontab lines / jsub commands / webservice lines (``-`` for
stdin); ``--jobs`` reads a jobs API answer (``GET /jobs``) with the current jobs.
A GitLab token, when needed for a private project, comes from ``$FORGEBOT_GITLAB_TOKEN``
(or ``$GITLAB_TOKEN``).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, TextIO

from bot.errors import ForgebotError
from bot.jsontext import parse_json
from bot.migration.inspect import inspect_snapshot
from bot.migration.names import is_valid_job_name
from bot.migration.plan import plan_for
from bot.migration.render import plan_json_text, plan_reply
from bot.reply import plain_text
from bot.repos import is_local, read_snapshot
from bot.repos.location import DEFAULT_GITLAB, parse_location


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="forgebot plan",
        description="Plan the move of a Toolforge tool to the build service.",
    )
    parser.add_argument("--repo", help="local checkout, GitLab URL or group/project")
    parser.add_argument("--grid", help="file with crontab lines / jsub commands ('-' = stdin)")
    parser.add_argument("--jsubrc", help="the tool's ~/.jsubrc")
    parser.add_argument("--jobs", help="JSON answer of the jobs API listing the current jobs")
    parser.add_argument("--tool", help="tool name (default: the repository's name)")
    parser.add_argument("--ref", help="branch or tag to read (default: the default branch)")
    parser.add_argument("--gitlab-url", default=DEFAULT_GITLAB, help="for group/project paths")
    parser.add_argument("--guide-base", default="", help="URL prefix for guide links")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--components",
        action="store_true",
        help="write a toolforge.yaml for the components API instead of jobs.yaml",
    )
    return parser


def plan_main(argv: list[str], stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    if not args.repo and not (args.grid or args.jsubrc or args.jobs):
        print("forgebot plan: give --repo, --grid or --jobs (or several).", file=err)
        return 2
    try:
        tool = args.tool or (_tool_from(args.repo, args.gitlab_url) if args.repo else "")
        if not tool:
            raise ForgebotError("give the tool's name with --tool.")
        if not is_valid_job_name(tool):
            raise ForgebotError(f"'{tool}' is not a tool name; give one with --tool.")
        report = None
        if args.repo:
            _require_directory(args.repo)
            snapshot = read_snapshot(
                args.repo,
                token=os.environ.get("FORGEBOT_GITLAB_TOKEN")
                or os.environ.get("GITLAB_TOKEN")
                or None,
                ref=args.ref,
                gitlab_url=args.gitlab_url,
            )
            report = inspect_snapshot(snapshot, tool=tool)
        plan = plan_for(
            tool,
            report,
            grid_text=_read(args.grid),
            jsubrc=_read(args.jsubrc),
            current_jobs=_read_json(args.jobs),
            guide_base=args.guide_base,
            components=args.components,
        )
    except ForgebotError as error:
        print(f"forgebot plan: {error}", file=err)
        return 1
    if args.format == "json":
        out.write(plan_json_text(plan))
    else:
        out.write(plain_text(plan_reply(plan)) + "\n")
    return 0


def _token() -> str | None:
    return os.environ.get("FORGEBOT_GITLAB_TOKEN") or os.environ.get("GITLAB_TOKEN") or None


def _require_directory(repo: str) -> None:
    """A location meant as a local checkout must exist: never ask GitLab about it."""
    if "://" in repo or repo.startswith("git@") or is_local(repo):
        return
    local = repo.startswith(("/", ".", "~")) or "/" not in repo.strip("/")
    if local or os.path.exists(repo.split("/", 1)[0]):
        raise ForgebotError(
            f"{repo}: no such directory (a GitLab project is group/project or its URL)."
        )


def _tool_from(repo: str, gitlab_url: str) -> str:
    if is_local(repo):
        name = os.path.basename(os.path.abspath(os.path.expanduser(repo)))
    else:
        name = parse_location(repo, gitlab_url).project_path.rsplit("/", 1)[-1]
    return name.lower().removeprefix("tool-")


def _read(path: str | None) -> str:
    if not path:
        return ""
    if path == "-":
        return sys.stdin.read()
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError as exc:
        raise ForgebotError(f"cannot read {path}: {exc.strerror}.") from exc


def _read_json(path: str | None) -> Any:
    text = _read(path)
    if not text:
        return None
    try:
        return parse_json(text)
    except ValueError as exc:
        raise ForgebotError(f"{path} is not JSON: {exc}.") from exc
