"""``migrate undo``: the jobs back as they were before the migration changed any.

Before the first step that changes jobs (loading, deleting, the web service),
the jobs API's own definitions of every job are read and kept in the
conversation (:func:`remember_jobs`). Undo defines them again exactly so, and
deletes the jobs the migration created that did not exist before. One-off
jobs ran once and are not run again. A classic web service stopped by hand
must be started again by hand: the reply says how.
"""

from __future__ import annotations

from typing import Any

from bot.commands import Confirmation, Invocation, Permission, command
from bot.context import Context
from bot.errors import UsageError
from bot.reply import Part, Reply, Text
from commands.migrate.session import Migration, clean, load, save, say
from commands.migrate.state import ACTIONS, WizardState

UNDONE = ("jobs", "delete", "webstop", "web", "check")


async def remember_jobs(ctx: Context, state: WizardState) -> None:
    """Keep the current definitions, once: the first change is what undo goes back to."""
    if state.previous_jobs is None:
        state.previous_jobs = await ctx.services.toolforge.job_definitions(state.tool)
        await save(ctx, state)  # kept before anything changes, even if the change fails


def _restorable(state: WizardState) -> list[dict[str, Any]]:
    from bot.migration.apispec import restoring_spec

    specs = (restoring_spec(d) for d in state.previous_jobs or ())
    return [spec for spec in specs if spec is not None]


async def _check(ctx: Context, inv: Invocation) -> str:
    state: WizardState = inv.subject.state
    if state.previous_jobs is None:
        raise UsageError(
            f"there is nothing to undo: this migration has not changed any job of {state.tool}"
        )
    current = {job.name for job in await ctx.services.toolforge.list_jobs(state.tool)}
    restore = ", ".join(spec["name"] for spec in _restorable(state)) or "no jobs"
    created = [name for name in state.created if name in current]
    what = f"define the jobs of {state.tool} again as they were before the migration ({restore})"
    if created:
        what += f" and delete the jobs it created ({', '.join(created)})"
    return what


def _confirm(inv: Invocation) -> Confirmation:
    state = inv.subject.state
    return Confirmation(inv.checked, binding=f"{state.tool} undo {state.version}")


async def _undo(ctx: Context, inv: Invocation) -> Reply:
    migration: Migration = inv.subject
    state = migration.state
    client = ctx.services.toolforge
    current = {job.name for job in await client.list_jobs(state.tool)}
    deleted = [name for name in state.created if name in current]
    for name in deleted:  # first: a published job frees the web front for the old one
        await client.delete_job(state.tool, name)
    restored = []
    for spec in _restorable(state):
        await client.load_job(state.tool, spec)
        restored.append(spec["name"])
    classic_stopped = "webstop" in state.done or "webstop" in state.skipped
    _back_to_first_undone(state)
    await save(ctx, state)
    sentence = f"The jobs of {state.tool} are defined as before the migration: " + (
        ", ".join(restored) or "none"
    )
    sentence += f"; deleted {', '.join(deleted)}." if deleted else "."
    parts: list[Part] = [Text.of(clean(sentence))]
    if classic_stopped:
        parts.append(
            Text.of(
                "Start the classic web service again yourself: as the tool, type the "
                "'webservice ... start' command you used before (forgebot cannot do that yet)."
            )
        )
    return await say(ctx, state, parts, audit=sentence)


def _back_to_first_undone(state: WizardState) -> None:
    """The first step undo took back becomes current again (no plan needed: GitLab may
    be down when someone needs their jobs back)."""
    taken = [s for s in ACTIONS if s in UNDONE and (s in state.done or s in state.skipped)]
    state.done = [s for s in state.done if s not in UNDONE]
    state.skipped = [s for s in state.skipped if s not in UNDONE]
    state.created, state.loaded_runs = [], {}
    if taken:
        state.step = taken[0]


UNDO = command(
    "undo",
    summary="define the jobs again as they were before the migration changed them",
    permission=Permission.MAINTAINER,
    load=load,
    check=_check,
    confirm=_confirm,
    audit_action="migrate undo",
    acts="undo its migration",
)(_undo)
