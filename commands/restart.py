"""restart <tool> [job|web|all]: restart jobs through the jobs API, after confirmation."""

from __future__ import annotations

from bot.commands import Arg, Invocation, Permission, command
from bot.context import Context
from bot.errors import ToolforgeError, ToolforgeOutcomeUnknown, UsageError
from bot.reply import Badge, Bullets, Inline, Reply, Strong, Text, Tone
from bot.text import quote_user
from bot.toolforge import Job


def _describe(inv: Invocation) -> str:
    tool, target = inv["tool"], inv["target"] or "all"
    names = ", ".join(job.name for job in inv.checked)
    if target == "all":
        return f"restart every continuous job (web service included) of {tool}: {names}"
    if target == "web":
        return f"restart the web service of {tool} ({names})"
    return f"restart the job {target} of {tool}"


async def _check(ctx: Context, inv: Invocation) -> list[Job]:
    """The jobs to restart; said before any confirmation code is issued."""
    tool: str = inv["tool"]
    return _select(tool, inv["target"] or "all", await ctx.services.toolforge.list_jobs(tool))


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
                f"{tool} has no web service published through the jobs API; a classic "
                "webservice can only be restarted with 'toolforge webservice restart' for now"
            )
        return chosen
    for job in jobs:
        if job.name == target:
            return [job]
    names = ", ".join(j.name for j in jobs) or "none"
    raise UsageError(f"{tool} has no job {quote_user(target)} (its jobs: {names})")


async def _restart(ctx: Context, inv: Invocation) -> Reply:
    tool: str = inv["tool"]
    client = ctx.services.toolforge
    chosen: list[Job] = inv.checked
    lines: list[tuple[Inline, ...]] = []
    done: list[str] = []
    failed: list[str] = []
    unknown: list[str] = []
    for job in chosen:
        try:
            message = await client.restart_job(tool, job.name)
        except ToolforgeOutcomeUnknown as error:
            unknown.append(f"{job.name}: {error.sentence}")
            badge = Badge("may have restarted", Tone.WARN)
            lines.append((Strong(job.name), " ", badge, f" {error.sentence}"))
            continue
        except ToolforgeError as error:
            failed.append(f"{job.name}: {error.sentence}")
            lines.append((Strong(job.name), " ", Badge("failed", Tone.ERROR), f" {error.sentence}"))
            continue
        done.append(job.name)
        note = f" {message}" if message else ""
        lines.append((Strong(job.name), " ", Badge("restarted", Tone.OK), note))
    heading = f"Restart of {tool}: {len(done)} restarted" + "".join(
        f", {n} {what}" for n, what in ((len(unknown), "unknown"), (len(failed), "failed")) if n
    )
    if unknown:
        heading += f" (check with {ctx.hint(f'status {tool}')})"
    audit = "restarted " + (", ".join(done) or "nothing") + "".join(
        f"; {what} {f}" for what, group in (("unknown", unknown), ("failed", failed)) for f in group
    )
    result = "unknown" if unknown else ("failed" if not done else "ok")
    return Reply(
        (Text.of(heading), Bullets(tuple(lines))),
        is_error=not done,
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
