"""confirm <code>: go ahead with an action that asked for confirmation."""

from __future__ import annotations

from bot.commands import Arg, Invocation, command
from bot.context import Context
from bot.reply import Reply


async def _confirm(ctx: Context, inv: Invocation) -> Reply:
    # Policy (permission, audit) is re-checked by the core for the confirmed command.
    return await ctx.runner.run_confirmed(ctx, str(inv["code"]))


COMMAND = command(
    "confirm",
    summary="go ahead with a pending action, using the code the bot gave you",
    args=(Arg("code", "the code from the bot's question"),),
)(_confirm)
