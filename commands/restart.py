"""restart <tool> [job|web|all]: restart jobs through the jobs API, after confirmation
(``web`` of a classic web service: its pods, through the Kubernetes API).

A restart that the API accepts is not yet a job that runs: the reply says
what the restarted jobs did in the following seconds (up, crash-looping
again, or still starting).
"""

from __future__ import annotations

import re

from bot.classic import ClassicWebService
from bot.commands import Arg, Invocation, Permission, command
from bot.context import Context
from bot.errors import ToolforgeError, ToolforgeOutcomeUnknown, UsageError
from bot.job_names import no_such_job
from bot.reply import Badge, Bullets, Inline, Reply, Strong, Text, Tone
from bot.toolforge import Job
from commands.restart_classic import describe, find_classic, restart_classic

WATCH_SECONDS = 30  # how long the reply waits for restarted jobs to settle
POLL_SECONDS = 3
STABLE_SECONDS = 10  # running this long after a restart counts as up
_DURATION = re.compile(r"(\d+)([dhms])")
_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def _describe(inv: Invocation) -> str:
    tool, target = inv["tool"], inv["target"] or "all"
    if isinstance(inv.checked, ClassicWebService):
        return describe(tool, inv.checked)
    names = ", ".join(job.name for job in inv.checked)
    if target == "all":
        return f"restart every continuous job (web service included) of {tool}: {names}"
    if target == "web":
        return f"restart the web service of {tool} ({names})"
    return f"restart the job {target} of {tool}"


async def _check(ctx: Context, inv: Invocation) -> list[Job] | ClassicWebService:
    """The jobs (or the classic web service) to restart; said before any code is issued."""
    tool: str = inv["tool"]
    jobs = await ctx.services.toolforge.list_jobs(tool)
    if inv["target"] == "web" and not any(j.is_webservice for j in jobs):
        classic = await find_classic(ctx, tool)
        if classic is not None:
            return classic
    return _select(tool, inv["target"] or "all", jobs)


def _select(tool: str, target: str, jobs: list[Job]) -> list[Job]:
    if target == "all":
        chosen = [j for j in jobs if j.job_type == "continuous"]
        if not chosen:
            raise UsageError(f"{tool} has no continuous jobs to restart")
        return chosen
    if target == "web":
        chosen = [j for j in jobs if j.is_webservice]
        if not chosen:
            raise UsageError(
                f"{tool} has no web service: none published through the jobs API, and no "
                "classic one (webservice start) that I can see"
            )
        return chosen
    for job in jobs:
        if job.name == target:
            return [job]
    raise no_such_job(tool, target, [j.name for j in jobs])


def _seconds(duration: str) -> int:
    return sum(int(n) * _UNITS[u] for n, u in _DURATION.findall(duration))


def _verdict(job: Job) -> str | None:
    """``up`` or ``crashing`` once a restarted job has settled; None while it has not."""
    if job.state == "failed" or (job.state == "pending" and job.restarts > 0):
        return "crashing"
    if job.state == "running" and _seconds(job.duration) >= STABLE_SECONDS:
        return "up"
    return None


async def _watch(ctx: Context, tool: str, names: list[str]) -> dict[str, Job]:
    """The restarted jobs as they stand once each has settled (or the watch is over)."""
    client = ctx.services.toolforge
    seen: dict[str, Job] = {}
    for _ in range(WATCH_SECONDS // POLL_SECONDS):
        await ctx.services.sleep(POLL_SECONDS)
        for name in names:
            if name not in seen or _verdict(seen[name]) is None:
                try:
                    seen[name] = await client.get_job(tool, name)
                except ToolforgeError:
                    continue
        if all(name in seen and _verdict(seen[name]) for name in names):
            break
    return seen


def _hints(job: Job) -> list[str]:
    """The job's status hints, without the API's "restarted (N)": the badge already says it
    was restarted, and the count says how often it crashed, not what we did."""
    return [m for m in job.status_messages if not m.startswith("restarted")]


def _after(job: Job | None) -> tuple[str, Tone, str]:
    """Badge word, tone and note for a restarted job, from what it did afterwards.

    The word "restarted" appears once per job: in the badge, or in the note when the
    badge says something else.
    """
    verdict = None if job is None else _verdict(job)
    if job is None:
        return "restarted", Tone.WARN, "but I could not read it afterwards"
    if verdict == "up":
        return "restarted", Tone.OK, f"running for {job.duration}"
    if verdict == "crashing":
        why = ", ".join(_hints(job)) or job.state
        plural = "s" if job.restarts != 1 else ""
        crashes = f", {job.restarts} restart{plural}" if job.restarts else ""
        return "crash-looping", Tone.ERROR, f"restarted, but it crashes again ({why}{crashes})"
    hints = f" ({', '.join(_hints(job))})" if _hints(job) else ""
    return "restarted", Tone.WARN, f"still {job.state}{hints} after {WATCH_SECONDS} s"


async def _restart(ctx: Context, inv: Invocation) -> Reply:
    tool: str = inv["tool"]
    if isinstance(inv.checked, ClassicWebService):
        return await restart_classic(ctx, tool, inv.checked)
    client = ctx.services.toolforge
    chosen: list[Job] = inv.checked
    failed: dict[str, str] = {}
    unknown: dict[str, str] = {}  # a 5xx after the request: the service may have acted
    for job in chosen:
        try:
            await client.restart_job(tool, job.name)
        except ToolforgeOutcomeUnknown as error:
            unknown[job.name] = error.sentence
        except ToolforgeError as error:
            failed[job.name] = error.sentence
    done = [job.name for job in chosen if job.name not in failed and job.name not in unknown]
    after = await _watch(ctx, tool, done) if done else {}
    lines: list[tuple[Inline, ...]] = []
    crashing: list[str] = []
    for job in chosen:
        if job.name in unknown:
            badge, note = Badge("may have restarted", Tone.WARN), unknown[job.name]
        elif job.name in failed:
            badge, note = Badge("failed", Tone.ERROR), failed[job.name]
        else:
            word, tone, note = _after(after.get(job.name))
            badge = Badge(word, tone)
            if word == "crash-looping":
                crashing.append(job.name)
        lines.append((Strong(job.name), " ", badge, f" {note}"))
    counts = ((len(crashing), "crash-looping again"), (len(unknown), "unknown"),
              (len(failed), "failed"))  # fmt: skip
    heading = f"Restart of {tool}: {len(done)} restarted"
    heading += "".join(f", {n} {what}" for n, what in counts if n)
    if unknown:
        heading += f" (check with {ctx.hint(f'status {tool}')})"
    audit = "restarted " + (", ".join(done) or "nothing")
    audit += "".join(f"; crash-looping again {name}" for name in crashing)
    audit += "".join(f"; unknown {name}: {why}" for name, why in unknown.items())
    audit += "".join(f"; failed {name}: {why}" for name, why in failed.items())
    result = "unknown" if unknown else ("failed" if not done or crashing else "ok")
    return Reply(
        (Text.of(heading), Bullets(tuple(lines))),
        is_error=not done or bool(crashing),
        summary=heading,
        meta={"audit": audit, "audit_result": result},
    )


COMMAND = command(
    "restart",
    summary="restart a tool's job, its web service, or all its continuous jobs",
    args=(
        Arg("tool", "the Toolforge tool name"),
        Arg("target", "a job name, 'web' or 'all' (default)", required=False),
    ),
    permission=Permission.MAINTAINER,
    tool_arg="tool",
    target_arg="target",
    check=_check,
    confirm=_describe,
    audit_action="restart",
    acts="restart it",
)(_restart)
