"""``migrate go`` and ``migrate skip``: the maintainers' side of a migration.

``go`` carries out the current step (merge request, build, jobs, deletions,
web service), each after a confirmation bound to the version of the
migration it was asked for; ``check`` and a running build need none. A build
starts only from the tool's own repository or the one its latest build came
from, and the merge request goes only to the tool's own repository.
"""

from __future__ import annotations

from bot.commands import Confirmation, Invocation, Permission, command
from bot.context import Context
from bot.errors import PermissionDenied, UsageError
from bot.migration.plan import Plan
from bot.reply import Part, Reply, Table, Text
from bot.repos.location import GitLabLocation, parse_location, without_userinfo
from commands.migrate import steps
from commands.migrate.conversation import show_status
from commands.migrate.replies import progress
from commands.migrate.session import (
    Migration,
    clean,
    load_planned,
    location_of,
    own_repository,
    save,
    say,
    token_for,
)
from commands.migrate.state import ACTIONS, DESCRIPTIONS, next_step

CONFIRMED_STEPS = ("mr", "build", "jobs", "delete", "web")


def _confirmed_step(migration: Migration) -> str | None:
    """The step ``go`` would carry out that needs a confirmation, if any."""
    state = migration.state
    if state.step not in CONFIRMED_STEPS or (state.step == "build" and state.build_id):
        return None
    return state.step


def _go_action(inv: Invocation) -> str | None:
    migration: Migration | None = inv.subject
    if migration is None:
        return None
    step = migration.state.step
    if step == "check" or _confirmed_step(migration) is not None:
        return f"migrate {step}"
    return None  # following a build, or done: nothing is acted on


async def _check_go(ctx: Context, inv: Invocation) -> str | None:
    """What the confirmed step would do; refused here if it is not bound to the tool."""
    migration: Migration = inv.subject
    if migration.state.step == "repo":
        raise UsageError("tell me where the code is first: migrate repo <git URL>")
    step = _confirmed_step(migration)
    if step is None:
        return None
    assert migration.plan is not None
    await _require_bound(ctx, migration, step)
    return _describe(step, migration.plan, migration.web)


def _confirm_go(inv: Invocation) -> Confirmation | None:
    description: str | None = inv.checked
    if description is None:
        return None
    state = inv.subject.state
    return Confirmation(description, binding=f"{state.tool} {state.step} {state.version}")


async def _go(ctx: Context, inv: Invocation) -> Reply:
    migration: Migration = inv.subject
    state = migration.state
    if state.step == "build" and state.build_id:
        return await show_status(ctx, state)
    if state.step == "done":
        await save(ctx, state)
        return await say(ctx, state, [])
    if state.step == "check":
        return await _check_jobs(ctx, migration)
    return await _carry_out(ctx, migration)


async def _check_jobs(ctx: Context, migration: Migration) -> Reply:
    state, plan = migration.state, migration.plan
    assert plan is not None
    healthy, rows = await steps.check_jobs(ctx.services.toolforge, plan, ctx.services.sleep)
    if healthy:
        state.done.append("check")
        state.step = next_step(state, migration.actions)
    await save(ctx, state)
    verdict = "All new jobs are up." if healthy else "Some jobs are not right yet:"
    parts: list[Part] = [Text.of(verdict), Table(("job", "state"), tuple(rows))]
    return await say(
        ctx, state, parts, audit=str(rows), audit_result="ok" if healthy else "failed"
    )


async def _carry_out(ctx: Context, migration: Migration) -> Reply:
    state, plan = migration.state, migration.plan
    assert plan is not None
    step = state.step
    client = ctx.services.toolforge
    finished = True
    if step == "mr":
        location = location_of(ctx, state)
        token = await token_for(ctx, state, location)
        state.mr_url, sentence = await steps.open_mr(location, plan, token)
    elif step == "build":
        state.build_id, sentence = await steps.start_build(client, plan)
        finished = False
    elif step == "jobs":
        sentence = await steps.load_jobs(client, plan)
    elif step == "delete":
        sentence = await steps.delete_jobs(client, plan)
    else:
        sentence = await steps.restart_web(client, state.tool, migration.web or "")
    sentence = clean(sentence)  # it quotes the APIs' own messages
    if finished:
        state.done.append(step)
        state.step = next_step(state, migration.actions)
    await save(ctx, state)
    tail = " Follow it with 'migrate status'." if step == "build" else ""
    return await say(ctx, state, [Text.of(sentence + tail)], audit=sentence)


def _describe(step: str, plan: Plan, web: str | None) -> str:
    if step == "mr":
        files = ", ".join(f.path for f in plan.files)
        return f"open a merge request on {plan.repository} adding {files}"
    if step == "build":
        return f"start a build of {plan.tool} from {plan.clone_url}"
    if step == "jobs":
        names = ", ".join(j.name for j in plan.jobs)
        return f"create or update {len(plan.jobs)} jobs of {plan.tool} on {plan.image}: {names}"
    if step == "delete":
        return f"delete the jobs {', '.join(plan.delete_jobs)} of {plan.tool}"
    if step == "web":
        return f"restart the web service {web} of {plan.tool}"
    return DESCRIPTIONS.get(step, step)


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


async def _require_bound(ctx: Context, migration: Migration, step: str) -> None:
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


GO = command(
    "go",
    summary="carry out the next step of the migration (each one asks for a confirmation)",
    permission=Permission.MAINTAINER,
    load=load_planned,
    check=_check_go,
    confirm=_confirm_go,
    audit_action=_go_action,
    acts="carry out its migration ('migrate plan' still shows the plan)",
)(_go)


async def _check_skip(ctx: Context, inv: Invocation) -> None:
    step = inv.subject.state.step
    if step not in ACTIONS:
        raise UsageError(f"there is no step to skip while at '{step}'")


def _skip_action(inv: Invocation) -> str | None:
    migration: Migration | None = inv.subject
    return None if migration is None else f"migrate {migration.state.step}"


async def _skip(ctx: Context, inv: Invocation) -> Reply:
    migration: Migration = inv.subject
    state = migration.state
    state.skipped.append(state.step)
    state.build_id = ""
    state.step = next_step(state, migration.actions)
    await save(ctx, state)
    return await say(ctx, state, [progress(state)], audit="done by hand", audit_result="skipped")


SKIP = command(
    "skip",
    summary="mark the current step as done by hand and move to the next one",
    permission=Permission.MAINTAINER,
    load=load_planned,
    check=_check_skip,
    audit_action=_skip_action,
    acts="carry out its migration ('migrate plan' still shows the plan)",
)(_skip)
