"""The migration's last step: wait (bounded) for the jobs, then say complete or what is not.

What is pending or failing is named with its state; its log excerpt
(redacted) is added only for those who see the tool's internals, and then the
whole answer goes to the speaker privately.
"""

from __future__ import annotations

import dataclasses
import functools

from bot.context import Context
from bot.reply import Badge, Part, Reply, Strong, Table, Text, Tone
from bot.visibility import sees_internals
from commands.migrate.health import expected_jobs, log_excerpt, wait_until_settled
from commands.migrate.session import Migration, save, say
from commands.migrate.state import next_step

_TONES = {"ok": Tone.OK, "pending": Tone.WARN, "failing": Tone.ERROR}


async def check_step(ctx: Context, migration: Migration) -> Reply:
    state, plan = migration.state, migration.plan
    assert plan is not None
    client = ctx.services.toolforge
    front = ctx.services.front
    probe = None if front is None else functools.partial(front.probe, state.tool)
    verdicts = await wait_until_settled(
        client, state.tool, expected_jobs(plan, state), ctx.services.sleep, probe
    )
    complete = all(v.outcome == "ok" for v in verdicts)
    if complete:
        state.done.append("check")
        state.step = next_step(state, migration.actions)
    await save(ctx, state)
    rows = tuple((v.name, Badge(v.outcome, _TONES[v.outcome]), v.said) for v in verdicts)
    not_ok = [v for v in verdicts if v.outcome != "ok"]
    heading = (
        "All new jobs are up."
        if complete
        else f"The migration is not complete: {len(not_ok)} of {len(verdicts)} jobs are "
        "pending or failing."
    )
    parts: list[Part] = [Text.of(heading), Table(("job", "verdict", "state"), rows)]
    private = False
    if not complete:
        if await sees_internals(ctx, state.tool):
            for verdict in not_ok:
                if verdict.job is not None:
                    parts += await log_excerpt(client, state.tool, verdict.job)
                    private = True
        parts.append(
            Text.of(
                "Reply ", Strong(ctx.hint("migrate go")), " to check again, or ",
                Strong(ctx.hint("migrate undo")), " to define the jobs again as they were.",
            )  # fmt: skip
        )
    summary = "; ".join(f"{v.name}: {v.outcome} ({v.said})" for v in verdicts)
    reply = await say(
        ctx, state, parts, audit=summary, audit_result="ok" if complete else "failed"
    )
    return dataclasses.replace(reply, private=private)
