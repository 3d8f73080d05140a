"""news: is Toolforge having problems? Current incidents and maintenance windows."""

from __future__ import annotations

from bot.bulletin.news import news_parts
from bot.bulletin.reading import news
from bot.commands import Invocation, command
from bot.context import Context
from bot.reply import Badge, Part, Reply, Text, Tone


async def _news(ctx: Context, inv: Invocation) -> Reply:
    now = ctx.services.clock()
    views = await news(ctx.services.store, now)
    if not views:
        words = (
            "No current incidents and no maintenance planned on Toolforge. If a tool "
            f"misbehaves, {ctx.hint('diagnose <tool>')} looks at it."
        )
        return Reply((Text.of(Badge("all quiet", Tone.OK), " ", words),), summary=words)
    ongoing = sum(1 for v in views if v.phase(now) in ("ongoing", "incident"))
    upcoming = len(views) - ongoing
    counts = [f"{ongoing} now" if ongoing else "", f"{upcoming} upcoming" if upcoming else ""]
    heading = f"Toolforge news ({', '.join(c for c in counts if c)}):"
    parts: list[Part] = [Text.of(heading), *news_parts(views, now)]
    parts.append(Text.of(f"If one was sent to you, {ctx.hint('ack <number>')} acknowledges it."))
    return Reply(tuple(parts), summary=heading.rstrip(":"))


COMMAND = command(
    "news",
    summary="is Toolforge having problems? current incidents and upcoming maintenance windows",
    details="The same news appears in status and diagnose of a tool it concerns.",
)(_news)
