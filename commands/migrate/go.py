"""``migrate go`` and ``migrate skip``: the maintainers' side of a migration.

``go`` carries out the current step (merge request, build, jobs, deletions,
web service), each after a confirmation bound to the version of the
migration it was asked for; ``check``, a running build and a build still
waiting for its merge request need none. What can be known before acting is
checked first: the repository is the tool's (:mod:`.binding`), the build uses
the change (:mod:`.build_source`), the image has the jobs' process types
(:mod:`.processes`). Stopping a classic web service is the maintainer's to do.
"""

from __future__ import annotations

from bot.commands import Confirmation, Flag, Invocation, Permission, command
from bot.context import Context
from bot.errors import UsageError
from bot.reply import Reply, Text
from commands.migrate.binding import require_bound
from commands.migrate.build_source import FROM_BRANCH, build_source
from commands.migrate.carry import carry_out
from commands.migrate.check_step import check_step
from commands.migrate.conversation import show_status
from commands.migrate.processes import require_process_types
from commands.migrate.replies import progress
from commands.migrate.session import Migration, load_planned, save, say
from commands.migrate.state import ACTIONS, DESCRIPTIONS, next_step
from commands.migrate.web import describe_web, stop_classic

CONFIRMED_STEPS = ("mr", "build", "jobs", "delete", "web")


def _confirmed_step(migration: Migration) -> str | None:
    """The step ``go`` would carry out that needs a confirmation, if any."""
    state = migration.state
    if state.step not in CONFIRMED_STEPS or (state.step == "build" and state.build_id):
        return None
    if migration.build is not None and migration.build.waiting:
        return None
    return state.step


def _go_action(inv: Invocation) -> str | None:
    migration: Migration | None = inv.subject
    if migration is None:
        return None
    step = migration.state.step
    if step == "check" or _confirmed_step(migration) is not None:
        return f"migrate {step}"
    return None  # following a build, waiting for a merge, or done: nothing is acted on


async def _check_go(ctx: Context, inv: Invocation) -> str | None:
    """What the confirmed step would do; refused here if it must not be done (yet)."""
    migration: Migration = inv.subject
    state, plan = migration.state, migration.plan
    assert plan is not None
    if state.step == "repo":
        raise UsageError("tell me where the code is first: migrate repo <git URL>")
    if inv[FROM_BRANCH] and (state.step != "build" or state.build_id):
        raise UsageError(f"--{FROM_BRANCH} chooses what a new build uses; there is none to start")
    step = _confirmed_step(migration)
    if step is None:
        return None
    await require_bound(ctx, migration, step)
    if step == "build":
        migration.build = await build_source(ctx, migration, from_branch=bool(inv[FROM_BRANCH]))
        if migration.build.waiting:
            return None
    elif step == "jobs":
        await require_process_types(ctx, migration, plan.jobs)
    elif step == "web" and plan.web_job is not None:
        await require_process_types(ctx, migration, [plan.web_job])
    return _describe(step, migration)


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
        return await check_step(ctx, migration)
    if state.step == "webstop":
        return await say(ctx, state, [stop_classic(ctx, state.tool)])
    if migration.build is not None and migration.build.waiting:
        return await say(ctx, state, [Text.of(migration.build.waiting)])
    return await carry_out(ctx, migration)


def _describe(step: str, migration: Migration) -> str:
    plan = migration.plan
    assert plan is not None
    if step == "mr":
        files = ", ".join(f.path for f in plan.files)
        return f"open a merge request on {plan.repository} adding {files}"
    if step == "build":
        assert migration.build is not None
        return f"start a build of {plan.tool} from {plan.clone_url} at {migration.build.label}"
    if step == "jobs":
        names = ", ".join(j.name for j in plan.jobs)
        return f"create or update {len(plan.jobs)} jobs of {plan.tool} on {plan.image}: {names}"
    if step == "delete":
        return f"delete the jobs {', '.join(plan.delete_jobs)} of {plan.tool}"
    if step == "web":
        return describe_web(plan, migration.web)
    return DESCRIPTIONS.get(step, step)


GO = command(
    "go",
    summary="carry out the next step of the migration (each one asks for a confirmation)",
    flags=(
        Flag(FROM_BRANCH, "build the merge request's branch now instead of waiting for the "
             "merge"),  # fmt: skip
    ),
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
    if state.step == "mr":
        state.mr_iid = 0  # committed by hand: the build has no merge request to wait for
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
