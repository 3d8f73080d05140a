"""Carrying out one confirmed step of a migration, and remembering what it changed.

Before the first step that changes jobs, the current definitions are kept
(``migrate undo`` goes back to them); the jobs a step creates that did not
exist before are noted, so undo deletes exactly those; a scheduled job's last
run is noted when it is loaded, so the check can tell a run on the new image
from an older one.
"""

from __future__ import annotations

from bot.context import Context
from bot.reply import Reply, Text
from commands.migrate import steps
from commands.migrate.session import Migration, clean, location_of, save, say, token_for
from commands.migrate.state import WizardState, next_step
from commands.migrate.undo import remember_jobs
from commands.migrate.web import run_web

CHANGES_JOBS = ("jobs", "delete", "web")


async def carry_out(ctx: Context, migration: Migration) -> Reply:
    state, plan = migration.state, migration.plan
    assert plan is not None
    step = state.step
    client = ctx.services.toolforge
    if step in CHANGES_JOBS:
        await remember_jobs(ctx, state)
    before = {str(d.get("name")) for d in state.previous_jobs or ()}
    finished = True
    if step == "mr":
        location = location_of(ctx, state)
        token = await token_for(ctx, state, location)
        opened, sentence = await steps.open_mr(location, plan, token)
        state.mr_url, state.mr_iid = opened.url, opened.iid
    elif step == "build":
        source = migration.build
        assert source is not None and not source.waiting
        state.build_id, sentence = await steps.start_build(client, plan, source.ref, source.label)
        state.build_ref = source.ref
        finished = False
    elif step == "jobs":
        sentence = await steps.load_jobs(client, plan)
        _created(state, [job.name for job in plan.jobs], before)
        state.loaded_runs = await steps.last_runs(client, plan)
    elif step == "delete":
        sentence = await steps.delete_jobs(client, plan)
    else:
        sentence = await run_web(client, plan, migration.web)
        _created(state, [plan.web_job.name] if plan.web_job else [], before)
    sentence = clean(sentence)  # it quotes the APIs' own messages
    if finished:
        state.done.append(step)
        state.step = next_step(state, migration.actions)
    await save(ctx, state)
    tail = " Follow it with 'migrate status'." if step == "build" else ""
    return await say(ctx, state, [Text.of(sentence + tail)], audit=sentence)


def _created(state: WizardState, names: list[str], before: set[str]) -> None:
    state.created += [n for n in names if n not in before and n not in state.created]
