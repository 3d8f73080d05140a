"""``restart <tool> web`` for a classic web service: delete its pods, the Deployment
recreates them, and the reply says what the new pods did (up, or crashing again)."""

from __future__ import annotations

from bot.classic import ClassicWebService
from bot.context import Context
from bot.errors import ToolforgeError, ToolforgeOutcomeUnknown
from bot.reply import Badge, Reply, Strong, Text, Tone

WATCH_SECONDS = 30
POLL_SECONDS = 3
STABLE_SECONDS = 9  # ready this long without a restart counts as up


async def find_classic(ctx: Context, tool: str) -> ClassicWebService | None:
    """The tool's classic web service, if forgebot can read classic web services at all."""
    classic = ctx.services.classic
    if classic is None or not classic.configured_for(tool):
        return None
    return await classic.find(tool)


def describe(tool: str, web: ClassicWebService) -> str:
    pods = ", ".join(p.name for p in web.pods) or "none"
    return (f"restart the classic web service of {tool} ({web.wstype}): delete its pods "
            f"({pods}) so that Kubernetes starts new ones")  # fmt: skip


async def _watch(ctx: Context, tool: str, old: set[str]) -> ClassicWebService | None:
    """The web service once its new pods are ready or crashing (or the watch is over)."""
    classic = ctx.services.classic
    assert classic is not None
    seen: ClassicWebService | None = None
    steady = 0  # polls in a row with every new pod ready and never restarted
    for _ in range(WATCH_SECONDS // POLL_SECONDS):
        await ctx.services.sleep(POLL_SECONDS)
        try:
            seen = await classic.find(tool)
        except ToolforgeError:
            continue
        fresh = [p for p in seen.pods if p.name not in old] if seen is not None else []
        if any(p.restarts or "BackOff" in p.waiting_reason for p in fresh):
            break
        steady = steady + 1 if fresh and all(p.ready for p in fresh) else 0
        if steady * POLL_SECONDS >= STABLE_SECONDS:
            break
    return seen


async def restart_classic(ctx: Context, tool: str, web: ClassicWebService) -> Reply:
    classic = ctx.services.classic
    assert classic is not None
    old = [p.name for p in web.pods]
    try:
        deleted = await classic.restart(tool, old)
    except ToolforgeOutcomeUnknown as error:
        heading = f"Restart of the classic web service of {tool}: unknown ({error.sentence})"
        return Reply((Text.of(heading),), is_error=True, summary=heading,
                     meta={"audit": heading, "audit_result": "unknown"})  # fmt: skip
    after = await _watch(ctx, tool, set(old))
    fresh = [p for p in after.pods if p.name not in old] if after is not None else []
    if after is not None and fresh and all(p.ready and not p.restarts for p in fresh):
        badge, note, result = Badge("restarted", Tone.OK), f"{len(fresh)} new pod(s) ready", "ok"
    elif fresh and any(p.restarts or p.waiting_reason for p in fresh):
        crashed = next(p for p in fresh if p.restarts or p.waiting_reason)
        why = crashed.waiting_reason or "restarting"
        if crashed.last_exit_code is not None:
            why += f", exit code {crashed.last_exit_code} ({crashed.last_reason})"
        badge, note, result = (Badge("crash-looping", Tone.ERROR),
                               f"new pods, but they fail again ({why})", "failed")  # fmt: skip
    else:
        badge, note, result = (Badge("restarted", Tone.WARN),
                               f"new pods not ready after {WATCH_SECONDS} s", "ok")  # fmt: skip
    heading = f"Restart of the classic web service of {tool}: deleted {', '.join(deleted)}"
    hint = ctx.hint(f"diagnose {tool}")
    return Reply(
        (Text.of(heading), Text.of(Strong("web"), " ", badge, f" {note} (see {hint})")),
        is_error=result == "failed",
        summary=heading,
        meta={"audit": f"{heading}; {note}", "audit_result": result},
    )
