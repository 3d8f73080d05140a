"""Who may run a command: the declared permission, checked in one place."""

from __future__ import annotations

from bot.commands import Command, Invocation, Permission
from bot.context import Context
from bot.directory import require_tool
from bot.errors import DirectoryUnavailable, PermissionDenied
from bot.text import quote_user

_IDENTIFY_HOW = {
    "irc": (
        "identify to NickServ (/msg NickServ IDENTIFY <account> <password>, or SASL) "
        "and try again"
    ),
    "zulip": "message me from your own Zulip account",
    "slack": "message me from your own Slack account",
}


def _not_linked(ctx: Context) -> str:
    who = ctx.message.sender
    if not who.verified:
        how = _IDENTIFY_HOW.get(who.platform, "identify yourself to the chat service")
        return f"I can't tell who you are: {who.display} is not logged in to an account; {how}"
    if ctx.services.links is not None:
        how = "say link to me in a direct message and log in with your developer account"
    else:
        how = f"ask a forgebot admin to link {who.key()} to your developer account"
    return (
        f"your {who.platform} account is not linked to a Wikimedia developer account; {how}"
    )


def tool_of(command: Command, invocation: Invocation) -> str | None:
    """The tool a command acts on: its tool argument, or the tool of what it loaded."""
    if command.tool_arg is not None:
        tool = invocation[command.tool_arg]
        return None if tool is None else str(tool)
    return getattr(invocation.subject, "tool", None)


def authorize_speaker(ctx: Context, command: Command) -> None:
    """What can be decided from the speaker alone, before anything is looked up for them."""
    permission = command.permission
    if permission is Permission.PUBLIC:
        return
    if permission is Permission.VERIFIED:
        if not ctx.message.sender.verified:
            raise PermissionDenied(
                f"only {permission.value} may use {command.path}: " + _not_linked(ctx)
            )
        return
    if ctx.account is None:
        if ctx.directory_problem:  # the directory is down: unknown, not "not linked"
            raise DirectoryUnavailable(ctx.directory_problem)
        raise PermissionDenied(
            f"only {permission.value} may use {command.path}: " + _not_linked(ctx)
        )
    if permission is Permission.IDENTIFIED:
        return
    if permission is Permission.ADMIN and not ctx.is_admin:
        if ctx.directory_problem:
            raise DirectoryUnavailable(ctx.directory_problem)
        raise PermissionDenied(f"only forgebot admins may use {command.path}")


async def authorize_tool(ctx: Context, command: Command, invocation: Invocation) -> None:
    """For maintainer commands: is the speaker a maintainer of the tool it acts on?"""
    if command.permission is not Permission.MAINTAINER:
        return
    tool = tool_of(command, invocation)
    assert tool is not None, f"{command.path} declares no tool"
    maintainers = await require_tool(ctx.services.directory, tool)
    if ctx.account not in maintainers:
        nobody = "" if maintainers else f" ({quote_user(tool)} has no active maintainers)"
        raise PermissionDenied(
            f"only maintainers of {quote_user(tool)} may {command.what_it_does()}; "
            f"you are signed in as {ctx.account}, who is not one of them{nobody}"
        )
