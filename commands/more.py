"""more: the next page of a long answer, where the chat has no better place for it (IRC)."""

from __future__ import annotations

from bot.commands import Invocation, command
from bot.context import Context
from bot.reply import Reply


async def _more(ctx: Context, inv: Invocation) -> Reply:
    answers = ctx.services.answers
    if answers is None:
        return Reply.text("There is nothing more.")
    return answers.next_page(ctx.message, ctx.prefix)


COMMAND = command(
    "more",
    summary="show the next page of your last long answer",
    details="Long answers on IRC come a page at a time when forgebot has no web page to put "
    "them on; each asker has their own pages, kept an hour.",
)(_more)
