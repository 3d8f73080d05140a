"""logs <tool> [job] [--lines N] [--since WHEN] [--here]: the last lines of a job's log."""

from __future__ import annotations

import asyncio

from bot.commands import Arg, Flag, Invocation, Permission, command
from bot.context import Context
from bot.errors import UsageError
from bot.file_logs import explain_file_logs
from bot.job_names import no_such_job
from bot.linking import direct_destination
from bot.log_follow import Follow, batch_for
from bot.log_secrets import secrets_to_hide
from bot.log_window import DEFAULT_WORDS, LineCount, parse_since
from bot.long_answers import asker
from bot.redact import redact_positions
from bot.reply import Code, Part, Reply, Strong, Text
from bot.toolforge import Job


def _pick_job(tool: str, wanted: str | None, jobs: list[Job]) -> Job:
    if wanted:
        for job in jobs:
            if job.name == wanted:
                return job
        raise no_such_job(tool, wanted, [j.name for j in jobs])
    if len(jobs) == 1:
        return jobs[0]
    web = [j for j in jobs if j.is_webservice]
    if len(web) == 1:
        return web[0]
    if not jobs:
        raise UsageError(f"{tool} has no jobs, so there are no logs to show")
    names = ", ".join(j.name for j in jobs)
    raise UsageError(f"which job? {tool} has: {names}")


async def _logs(ctx: Context, inv: Invocation) -> Reply:
    tool: str = inv["tool"]
    count = LineCount.of(inv["lines"], ctx.services.config.bot)
    since = parse_since(inv["since"], ctx.services.clock()) if inv["since"] else None
    client = ctx.services.toolforge
    job = _pick_job(tool, inv["job"], await client.list_jobs(tool))
    private = not inv["here"]
    if job.filelog:
        return explain_file_logs(tool, job, private=private)
    if inv["follow"]:
        return await _follow(ctx, tool, job.name, here=bool(inv["here"]))
    # Both at once; without the envvar values nothing is shown (bot.log_secrets).
    entries, known = await asyncio.gather(
        client.job_logs(tool, job.name, count.lines, since.api if since else None),
        secrets_to_hide(client, tool, f"log lines of {tool}/{job.name}"),
        return_exceptions=True,
    )
    if isinstance(known, BaseException):
        raise known
    if isinstance(entries, BaseException):
        raise entries
    # Redact the messages themselves (a key body is recognised line by line),
    # off the event loop: log lines are arbitrary and can be long.
    clean = await asyncio.to_thread(redact_positions, [e.message for e in entries], known)
    texts = [
        f"{e.datetime} {line}" for e, line in zip(entries, clean, strict=True) if line is not None
    ]
    window = since.words if since else DEFAULT_WORDS
    heading = f"Last {len(texts)} log lines of {tool}/{job.name}"
    if since is not None:
        heading += f" ({window})"
    heading += count.capped
    parts: list[Part] = [Text.of(Strong(heading + ":"))]
    if texts:
        parts.append(Code("\n".join(texts)))
    else:
        hint = "" if since else f" (older ones: {ctx.hint(f'logs {tool} {job.name} --since 6h')})"
        parts = [Text.of(f"No log lines for {tool}/{job.name} {window}{hint}.")]
    return Reply(tuple(parts), private=private, summary=heading, meta={"audit": heading})


async def _follow(ctx: Context, tool: str, job: str, *, here: bool) -> Reply:
    """Start sending ``job``'s new lines to the asker privately (:mod:`bot.log_follow`)."""
    follows = ctx.services.follows
    if here or follows is None:
        raise UsageError("--follow sends new lines only to you, privately; leave out --here")
    # Without the envvar values no line is shown (bot.log_secrets): fail before starting.
    known = await secrets_to_hide(ctx.services.toolforge, tool, f"log lines of {tool}/{job}")
    seconds = ctx.services.config.bot.follow_seconds
    again = f"Say {ctx.hint(f'logs {tool} {job} --follow')} to follow it again."
    sender = ctx.message.sender
    follow = Follow(tool, job, sender.platform, direct_destination(sender), known, seconds, again,
                    batch=batch_for(ctx.message.fit.lines))  # fmt: skip
    replaced = follows.start(asker(ctx.message), follow)
    span = f"{seconds // 60} minutes" if seconds % 60 == 0 and seconds >= 120 else f"{seconds} s"
    said = (
        f"Following the log of {tool}/{job} for {span}: new lines come to you privately as "
        f"they are written. Say {ctx.hint('stop')} to end it sooner."
    )
    if replaced:
        said += " (Your earlier follow is stopped: one at a time.)"
    audit = f"following {tool}/{job} for {seconds} s"
    return Reply((Text.of(said),), private=True, summary=audit, meta={"audit": audit})


COMMAND = command(
    "logs",
    summary="show the last lines of a job's log (sent to you privately unless --here)",
    args=(
        Arg("tool", "the Toolforge tool name"),
        Arg("job", "the job (default: the web service, or the only job)", required=False),
    ),
    flags=(
        Flag("lines", "how many lines (default 20, at most 200)", kind=int, minimum=1),
        Flag("since", "how far back: 6h, 2d, 1h30m or a time such as 2026-12-01T10:00 "
             "(default: the last hour)", kind=str),
        Flag("here", "post in this channel instead of privately"),
        Flag("follow", "send new lines to you privately as they are written, for a while "
             "(say stop to end)"),
    ),
    permission=Permission.MAINTAINER,
    tool_arg="tool",
    target_arg="job",
    audit_action="logs",
    acts="read its logs",
)(_logs)
