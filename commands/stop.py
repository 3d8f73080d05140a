"""stop: end your logs --follow before its time is up."""

from __future__ import annotations

from bot.commands import Invocation, command
from bot.context import Context
from bot.long_answers import asker
from bot.reply import Reply


async def _stop(ctx: Context, inv: Invocation) -> Reply:
    follows = ctx.services.follows
    follow = follows.stop(asker(ctx.message)) if follows is not None else None
    if follow is None:
        return Reply.text("You are not following any log.")
    said = f"Stopped following {follow.name}, as you asked ({follow.shown} lines sent)."
    return Reply.text(said, private=True)


COMMAND = command(
    "stop",
    summary="stop sending you a log you follow (logs ... --follow)",
)(_stop)
