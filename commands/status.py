"""status <tool> [job]: jobs, web service and latest build of a tool."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime

from bot.bulletin.news import tool_news
from bot.commands import Arg, Invocation, command
from bot.context import Context
from bot.directory import require_tool
from bot.errors import DirectoryUnavailable, ToolforgeError, ToolforgeNotFound
from bot.job_names import no_such_job
from bot.job_view import (
    build_badge,
    image_cell,
    job_badge,
    kind_cell,
    next_run,
    parse_time,
    runs_text,
    schedule_cell,
    web_url,
    when,
)
from bot.redact import redact
from bot.reply import Badge, Bullets, Inline, Link, Part, Reply, Strong, Table, Text, Tone
from bot.toolforge import Build, Job
from bot.visibility import HIDDEN, sees_internals


async def _status(ctx: Context, inv: Invocation) -> Reply:
    tool: str = inv["tool"]
    try:
        await require_tool(ctx.services.directory, tool)
    except DirectoryUnavailable:
        pass  # status is public: the API says whether the tool exists
    client = ctx.services.toolforge
    now = ctx.services.clock()
    if inv["job"]:
        internals = await sees_internals(ctx, tool)
        return _job_detail(tool, await _job(ctx, tool, inv["job"]), internals, now)
    front = ctx.services.front
    jobs, build, answer, news = await asyncio.gather(
        client.list_jobs(tool),
        _latest_build_or_error(ctx, tool),
        front.probe(tool) if front is not None else asyncio.sleep(0),
        tool_news(ctx.services.store, tool, now),
    )
    reply = _overview(tool, jobs, build, now)
    heading = reply.parts[0]
    if answer is not None and isinstance(heading, Text):
        # On the heading's line: a status answer stays as many lines as before.
        shown = Badge(f"web front: {answer.short()}", Tone.OK if answer.up else Tone.WARN)
        heading = Text((*heading.spans, "; ", shown))
    # Right under the heading: whoever asks learns first whether Toolforge is the cause.
    return dataclasses.replace(reply, parts=(heading, *news, *reply.parts[1:]))


async def _job(ctx: Context, tool: str, name: str) -> Job:
    """The job; a name that is none of the tool's says which one was probably meant."""
    client = ctx.services.toolforge
    try:
        return await client.get_job(tool, name)
    except ToolforgeNotFound:
        names = [j.name for j in await client.list_jobs(tool)]
        if name in names:
            raise
        raise no_such_job(tool, name, names) from None


async def _latest_build_or_error(ctx: Context, tool: str) -> Build | str | None:
    # A builds-service outage must not hide the jobs; it becomes a line instead.
    try:
        return await ctx.services.toolforge.latest_build(tool)
    except ToolforgeError as error:
        return error.sentence


def _schedule(job: Job, now: datetime) -> str:
    runs = runs_text(job, now)
    return f"{schedule_cell(job)}; {runs}" if runs else ""


def _overview(tool: str, jobs: list[Job], build: Build | str | None, now: datetime) -> Reply:
    web = [j for j in jobs if j.is_webservice]
    heading: list[Inline] = [Strong(tool), ": "]
    if web:
        heading += ["web service ", job_badge(web[0]), " at ", Link(web_url(tool), web_url(tool))]
    else:
        heading.append("no web service published through the jobs API")
    parts: list[Part] = [Text(tuple(heading))]
    if jobs:
        rows = tuple(
            (j.name, kind_cell(j), image_cell(j), job_badge(j), _schedule(j, now), str(j.restarts))
            for j in sorted(jobs, key=lambda j: (not j.is_webservice, j.name))
        )
        parts.append(Table(("job", "kind", "image", "state", "schedule", "restarts"), rows))
    else:
        parts.append(Text.of("No jobs."))
    if isinstance(build, Build):
        line: list[Inline] = ["Latest build: ", build_badge(build), f" {build.build_id}"]
        if build.state == "error" and build.message:
            line.append(f": {build.message}")
        parts.append(Text(tuple(line)))
    elif isinstance(build, str):
        parts.append(Text.of(Badge("builds unavailable", Tone.WARN), f" {build}"))
    deprecated = sorted({j.image for j in jobs if j.image_state == "deprecated"})
    if deprecated:
        parts.append(
            Text.of(
                Badge("old image", Tone.WARN),
                f" {', '.join(deprecated)}: consider moving to the build service (see migrate).",
            )
        )
    failing = sum(1 for j in jobs if j.state == "failed" or j.restarts >= 3)
    summary = f"{tool}: {len(jobs)} jobs" + (f", {failing} failing" if failing else "")
    return Reply(tuple(parts), summary=summary)


def _job_detail(tool: str, job: Job, maintainer: bool, now: datetime | None = None) -> Reply:
    command = redact(job.cmd) if maintainer else HIDDEN
    facts: list[tuple[Inline, ...]] = [
        ("state: ", job_badge(job), f" {job.duration}".rstrip()),
        (f"kind: {kind_cell(job)}",),
        ("image: ", image_cell(job)),
        (f"command: {command}",),
    ]
    if job.schedule:
        facts.append((f"schedule: {schedule_cell(job)}",))
    if job.job_type == "scheduled":
        last = parse_time(job.previous_schedule)
        facts.append((f"last run: {when(last) if last else 'not yet'}",))
        upcoming, computed = next_run(job, now or datetime.now(UTC))
        how = " (from its schedule)" if computed else ""
        facts.append((f"next run: {when(upcoming) + how if upcoming else 'unknown'}",))
    if job.replicas is not None:
        facts.append((f"replicas: {job.replicas}",))
    if job.port:
        facts.append((f"port: {job.port}",))
    if job.is_webservice:
        facts.append(("published at ", Link(web_url(tool), web_url(tool))))
    facts.append((f"memory {job.memory or '?'}, cpu {job.cpu or '?'}, emails {job.emails}",))
    if job.status_messages:
        facts.append(("messages: " + redact("; ".join(job.status_messages)),))
    if not job.up_to_date:
        facts.append(
            (Badge("out of date", Tone.WARN), " the running job differs from its definition")
        )
    return Reply(
        (Text.of(Strong(f"{tool}/{job.name}")), Bullets(tuple(facts))),
        summary=f"{tool}/{job.name}: {job.state}",
    )


COMMAND = command(
    "status",
    summary="show a tool's jobs, web service and latest build (or one job in detail)",
    args=(
        Arg("tool", "the Toolforge tool name"),
        Arg("job", "a job name for details", required=False),
    ),
)(_status)
