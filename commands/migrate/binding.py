"""Which repository a migration may act on: the merge request and the build are bound
to the tool.

The merge request is written with forgebot's own GitLab token, so it goes only to
``toolforge-repos/<tool>``. A build runs as the tool, so the repository its latest
build came from will do as well.
"""

from __future__ import annotations

from bot.context import Context
from bot.errors import PermissionDenied
from bot.repos.location import GitLabLocation, parse_location, without_userinfo
from commands.migrate.session import Migration, location_of, own_repository


async def _built_from(ctx: Context, tool: str, location: GitLabLocation) -> bool:
    """Whether the tool's latest build came from ``location``."""
    latest = await ctx.services.toolforge.latest_build(tool)
    if latest is None or not latest.source_url:
        return False
    source = parse_location(without_userinfo(latest.source_url), ctx.services.config.gitlab.url)
    return source.same_as(location)


def _points_to(ctx: Context, url: str, location: GitLabLocation) -> bool:
    """Whether a URL GitLab gave back for the project is the project we bound to."""
    if not url:
        return False
    return parse_location(url, ctx.services.config.gitlab.url).same_as(location)


async def require_bound(ctx: Context, migration: Migration, step: str) -> None:
    """Refuse a merge request or a build on a repository that is not the tool's.

    The merge request is written with forgebot's own GitLab token, so it goes only to
    ``toolforge-repos/<tool>``: the latest build's source is not proof of ownership (any
    maintainer can build from any public URL), and trusting it would let them point the
    token at any project. A build runs as the tool, so the latest build's source will do.
    """
    if step not in ("mr", "build"):
        return
    state, plan = migration.state, migration.plan
    assert plan is not None
    tool = state.tool
    own = own_repository(ctx, tool)
    location = location_of(ctx, state)
    if step == "mr":
        if location.same_as(own):
            return
        why = (
            f"I open merge requests only on {tool}'s own repository, {own.web_url}, and "
            f"{location.web_url} is not it. Commit the planned files yourself (see "
            "'migrate plan'), then reply 'migrate skip'; or ask a Toolforge admin to put "
            f"the code in {own.web_url}."
        )
    elif not _points_to(ctx, plan.clone_url, location):
        why = (
            f"GitLab gives {plan.clone_url or 'no clone URL'} for {location.web_url}, so I "
            "will not build from it; name the repository by its current path."
        )
    else:
        if location.same_as(own) or await _built_from(ctx, tool, location):
            return
        why = (
            f"I start builds of {tool} only from its own repository ({own.web_url}) or the one "
            f"its latest build came from, and {location.web_url} is neither. Start it yourself "
            f"with 'toolforge build start {location.web_url}' as the tool, then reply "
            "'migrate skip'; or ask a Toolforge admin."
        )
    raise PermissionDenied(why)
