"""diagnose <tool>: why is it down? Everything that can be read, put together and explained.

Anyone may ask. The answer lists findings in plain words, each with the next
command and a guide section, then what was looked at (a part that cannot be
read is named, the rest still answered). A tool's maintainers also get the
recent error lines of its jobs in trouble and the failed build's excerpt,
redacted, sent to them privately (in a direct conversation, in the answer).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.bulletin.news import tool_news
from bot.classic import ClassicWebService
from bot.commands import Arg, Invocation, command
from bot.context import Context
from bot.directory import require_tool
from bot.job_view import build_badge, job_badge
from bot.reply import Badge, Bullets, Code, Inline, Link, Part, Reply, Strong, Text, Tone
from bot.toolforge import Build
from bot.visibility import sees_internals

if TYPE_CHECKING:
    # what diagnose looks at and concludes: loaded when someone asks for a diagnosis
    from bot.diagnosis.facts import Facts
    from bot.diagnosis.findings import Finding

_WORD = {Tone.ERROR: "problem", Tone.WARN: "warning", Tone.INFO: "note"}


async def _diagnose(ctx: Context, inv: Invocation) -> Reply:
    from bot.diagnosis.facts import gather
    from bot.diagnosis.findings import findings

    tool: str = inv["tool"]
    maintainers = await require_tool(ctx.services.directory, tool)
    internals = await sees_internals(ctx, tool)
    facts = await gather(ctx.services, tool, maintainers, internals=internals)
    found = findings(facts)
    news = await tool_news(ctx.services.store, tool, ctx.services.clock())
    public = [*_heading(facts, found), *news, *_findings(ctx, found), *_looked_at(ctx, facts)]
    private = _private(facts)
    summary = _summary(facts, found)
    if not private:
        return Reply(tuple(public), summary=summary, meta={"audit": summary})
    if ctx.message.direct:
        return Reply((*public, *private), summary=summary, meta={"audit": summary})
    public.append(Text.of("I sent you its recent error lines privately."))
    aside = Reply(tuple(private), private=True, summary=f"{tool}: recent error lines")
    return Reply(tuple(public), summary=summary, meta={"audit": summary}, aside=aside)


def _heading(facts: Facts, found: list[Finding]) -> list[Part]:
    errors = sum(1 for f in found if f.tone is Tone.ERROR)
    warnings = sum(1 for f in found if f.tone is Tone.WARN)
    if errors:
        badge = Badge(f"{errors} problem{'s' if errors > 1 else ''}", Tone.ERROR)
    elif warnings:
        badge = Badge(f"{warnings} warning{'s' if warnings > 1 else ''}", Tone.WARN)
    elif facts.unread and not found:
        badge = Badge("partly read", Tone.WARN)
    else:
        badge = Badge("nothing wrong found", Tone.OK)
    return [Text.of("Diagnosis of ", Strong(facts.tool), ": ", badge)]


def _findings(ctx: Context, found: list[Finding]) -> list[Part]:
    from bot.migration.guides import guide_link, problem

    base = ctx.services.config.migration.guides_url
    items: list[tuple[Inline, ...]] = []
    for finding in found:
        shown = ctx.hint(finding.command) if finding.ours else finding.command
        guide = problem(finding.guide)
        items.append((
            Badge(_WORD.get(finding.tone, "note"), finding.tone), f" {finding.text} Next: ",
            Strong(shown), " (guide: ", Link(guide.title, guide_link(finding.guide, base)), ")",
        ))  # fmt: skip
    return [Bullets(tuple(items))] if items else []


def _looked_at(ctx: Context, facts: Facts) -> list[Part]:
    lines: list[tuple[Inline, ...]] = []
    if isinstance(facts.jobs, list):
        if facts.jobs:
            jobs: list[Inline] = ["jobs:"]
            for job in sorted(facts.jobs, key=lambda j: (not j.is_webservice, j.name)):
                jobs += [f" {job.name} ", job_badge(job)]
            lines.append(tuple(jobs))
        else:
            lines.append(("jobs: none",))
    if facts.front is not None:
        lines.append(("web front: ", _front_badge(facts), f" {facts.front.sentence()}"))
    web = facts.classic
    if isinstance(web, ClassicWebService):
        lines.append(_classic_line(ctx, web, facts.images))
    elif web is None and ctx.services.classic is not None:
        lines.append(("classic web service (webservice start): none",))
    if isinstance(facts.build, Build):
        lines.append(("latest build: ", build_badge(facts.build), f" {facts.build.build_id}"))
    if isinstance(facts.quota, list):
        busy = [i for i in facts.quota if i.used is not None and i.exhausted]
        shown = "; ".join(f"{i.name} {i.used} of {i.limit}" for i in busy) or "within limits"
        lines.append((f"quota: {shown}",))
    for part in facts.unread:
        lines.append((Badge("not read", Tone.WARN), f" {part.what}: {part.sentence}"))
    if not facts.internals and any(
        j.state == "failed" or j.restarts for j in facts.job_list
    ):  # fmt: skip
        who = ", ".join(sorted(facts.maintainers)) or "nobody listed"
        lines.append((f"Its recent error lines are shown to its maintainers ({who}).",))
    return [Text.of("What I looked at:"), Bullets(tuple(lines))]


def _front_badge(facts: Facts) -> Badge:
    front = facts.front
    if front is not None and front.up:
        return Badge("up", Tone.OK)
    # an unread classic web service may be one: not "no web service" then
    has_web = any(j.is_webservice for j in facts.job_list) or facts.classic is not None
    if front is not None and front.kind == "no-webservice" and not has_web:
        return Badge("no web service", Tone.MUTED)
    return Badge("down", Tone.ERROR)


def _classic_line(ctx: Context, web: ClassicWebService, images: object) -> tuple[Inline, ...]:
    from bot.diagnosis.findings import age

    now = ctx.services.clock()
    named = [s for s, i in images.items() if i == web.image] if isinstance(images, dict) else []
    kind = named[0] if named else web.wstype
    state = Badge("running", Tone.OK) if web.running else Badge("down", Tone.ERROR)
    facts = [f"{web.ready} of {web.replicas} ready", f"{web.restarts} restarts",
             f"image {web.image}", f"created {age(web.created, now)} ago"]  # fmt: skip
    ended = web.last_exit
    if ended is not None and ended.last_exit_code is not None:
        facts.append(f"last ended with exit code {ended.last_exit_code} ({ended.last_reason})")
    waiting = web.waiting
    if waiting is not None:
        facts.append(f"waiting: {waiting.waiting_reason}")
    return ("classic web service (", kind, "): ", state, " " + ", ".join(facts))


def _private(facts: Facts) -> list[Part]:
    parts: list[Part] = []
    for job, lines in facts.error_lines.items():
        parts.append(Text.of(Strong(f"Recent error lines of {facts.tool}/{job} (redacted):")))
        parts.append(Code("\n".join(lines)))
        for hint in _listening_hints(lines):
            parts.append(Text.of(hint))
    build = facts.build
    if facts.build_excerpt and isinstance(build, Build):
        parts.append(Text.of(Strong(f"Why build {build.build_id} failed (redacted):")))
        parts.append(Code("\n".join(facts.build_excerpt)))
    return parts


def _listening_hints(lines: tuple[str, ...]) -> list[str]:
    hints = []
    for line in lines:
        for marker in ("Running on http://", "Listening at: http://", "Listening on http://"):
            if marker in line:
                address = line.split(marker, 1)[1].split()[0].rstrip("/")
                if not address.startswith("0.0.0.0:"):
                    hints.append(f"It listens on {address}; the front proxy connects to "
                                 "0.0.0.0 at the port in $PORT (8000).")  # fmt: skip
    return hints


def _summary(facts: Facts, found: list[Finding]) -> str:
    serious = [f for f in found if f.tone in (Tone.ERROR, Tone.WARN)]
    if serious:
        return f"{facts.tool}: {serious[0].text}"
    if facts.unread:
        unread = len(facts.unread)
        return f"{facts.tool}: nothing wrong in what I could read ({unread} parts not read)"
    return f"{facts.tool}: nothing wrong found"


COMMAND = command(
    "diagnose",
    summary="why is a tool down? its jobs, web front, classic web service, build and quota, "
    "explained with what to do next",
    args=(Arg("tool", "the Toolforge tool name"),),
    tool_arg="tool",
    audit_action="diagnose",
    details="Its maintainers also get the recent error lines of its jobs, privately.",
)(_diagnose)
