"""Before loading jobs: does the image they will run have a process type for each?

A job on the build-service image runs ``launcher <command>``: a Procfile
process type, else a program. The planner writes process type names as the
jobs' commands, and they exist only in the Procfile of the commit that was
built; an image built before the merge has none of them, and its jobs would
crash at once. So the Procfile is read from GitLab at the very commit of the
newest successful build (the one ``:latest`` points at) and every process
type the jobs need must be in it, or nothing is loaded.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.context import Context
from bot.errors import GitLabError, UsageError
from bot.repos.location import chat_repository, without_userinfo
from bot.toolforge import Build
from commands.migrate.session import Migration, token_for

if TYPE_CHECKING:
    from bot.migration.model import Job

_PROCESS_TYPE = re.compile(r"^[A-Za-z0-9_-]+$")


def needed_process_types(
    jobs: Sequence[Job], image: str, planned: set[str]
) -> dict[str, list[str]]:
    """Process type -> the jobs on ``image`` that run it: a command that is one bare
    word, or whose first word the plan made a process type (``planned``)."""
    needed: dict[str, list[str]] = {}
    for job in jobs:
        if job.image != image:
            continue
        words = job.command.split()
        if words[:1] == ["launcher"]:
            words = words[1:]
        if not words or not _PROCESS_TYPE.match(words[0]):
            continue
        if len(words) == 1 or words[0] in planned:
            needed.setdefault(words[0], []).append(job.name)
    return needed


async def require_process_types(ctx: Context, migration: Migration, jobs: Sequence[Job]) -> None:
    """Refuse, naming what is missing, unless the built image has every process type
    ``jobs`` need."""
    plan, state = migration.plan, migration.state
    assert plan is not None
    needed = needed_process_types(jobs, plan.image, {e.name for e in plan.procfile})
    if not needed:
        return
    build = await _newest_image_build(ctx, state.tool, plan.image)
    if build is None:
        raise UsageError(
            f"{state.tool} has no successful build of {plan.image} yet, so these jobs would "
            f"not start: build it first ('migrate back')"
        )
    types = await _process_types(ctx, migration, build)
    missing = sorted(name for name in needed if name not in types)
    if not missing:
        return
    jobs_hit = sorted({job for name in missing for job in needed[name]})
    commit = build.resolved_ref[:8] or build.ref or "its branch"
    advice = (
        f"Merge the merge request !{state.mr_iid}, then build again"
        if state.mr_iid and "mr" in state.done
        else "Add them to the Procfile, then build again"
    )
    raise UsageError(
        f"the image {plan.image} was built from {commit} (build {build.build_id}), whose "
        f"Procfile does not define the process types {', '.join(missing)}: the jobs "
        f"{', '.join(jobs_hit)} would not start, so I loaded nothing. {advice} ('migrate "
        "back' returns to the build step)"
    )


async def _newest_image_build(ctx: Context, tool: str, image: str) -> Build | None:
    """The newest successful build of ``image`` (``tool-<tool>/<name>:latest``)."""
    path = image.split(":", 1)[0]
    builds = await ctx.services.toolforge.list_builds(tool)
    for build in sorted(builds, key=lambda b: b.start_time, reverse=True):
        if build.state == "ok" and path in build.destination_image:
            return build
    return None


async def _process_types(ctx: Context, migration: Migration, build: Build) -> set[str]:
    from bot.migration.procfile import parse
    from bot.repos.followup import read_file_at  # python-gitlab, only when used

    source = without_userinfo(build.source_url)
    try:
        location = chat_repository(source, ctx.services.config.gitlab.url)
        token = await token_for(ctx, migration.state, location)
        text = await read_file_at(
            location, "Procfile", build.resolved_ref or build.ref or "HEAD", token=token
        )
    except (UsageError, GitLabError) as error:
        raise UsageError(
            f"I could not read the Procfile the image was built from ({source}): "
            f"{error.sentence} I load no jobs I cannot check; load them yourself and reply "
            "'migrate skip'"
        ) from error
    return {entry.name for entry in parse(text or "")}
