"""bot/policy.py's rules called directly, with the authorisation matrix's verdicts.

tests/test_authorisation_matrix.py sends every command through the whole
core on four platforms (a minute on a loaded machine); these checks give the
same verdicts and sentences from the policy functions alone, with contexts
built as the core builds them, in a fraction of a second: what a mutation
run of bot/policy.py needs. Also here: what the policy says when the
directory cannot answer.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.commands import Command, Invocation, Permission, walk
from bot.context import Context
from bot.core import Bot
from bot.errors import DirectoryUnavailable, PermissionDenied
from bot.identity import is_admin, resolve_identity
from bot.message import Message
from bot.policy import authorize_speaker, authorize_tool, tool_of
from tests.test_authorisation_matrix import (
    PLATFORMS,
    ROLES,
    SPEAKERS,
    TOOL,
    VERDICTS,
    Speaker,
    refusal,
)

DOWN = "the developer directory did not answer; nothing was done"


@dataclass(frozen=True)
class Migration:
    """What a migrate sub-command's load step finds: a conversation about a tool."""

    tool: str


async def context(bot: Bot, speaker: Speaker, problem: str | None = None) -> Context:
    """The context the core builds for ``speaker`` (identity, admin), links arranged."""
    if speaker.link is not None:
        account, method = speaker.link
        key = speaker.identity.key()
        if await bot.services.store.link_get(key) is None:
            await bot.services.store.link_add(key, account, created_by="test", method=method)
    resolved = await resolve_identity(speaker.identity, bot.services)
    admin, _ = await is_admin(resolved.account, bot.services)
    message = Message(speaker.identity.platform, speaker.identity, "", direct=True)
    return Context(
        message=message, account=resolved.account, services=bot.services,
        registry=bot.registry, runner=bot.pipeline, is_admin=admin, how=resolved.how,
        directory_problem=problem,
    )  # fmt: skip


def invocation(command: Command) -> Invocation:
    values = {"tool": TOOL} if command.tool_arg else {}
    subject = Migration(TOOL) if command.load is not None and not command.tool_arg else None
    return Invocation(command.path, values, subject=subject)


async def verdict(ctx: Context, command: Command) -> str | None:
    """``None`` when the policy lets it through, else its refusal."""
    try:
        authorize_speaker(ctx, command)
        await authorize_tool(ctx, command, invocation(command))
    except PermissionDenied as refused:
        return refused.sentence
    return None


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_the_policy_gives_the_matrix_verdicts(bot: Bot, platform: str) -> None:
    checked = 0
    for role in ROLES:
        speaker = SPEAKERS[(platform, role)]
        ctx = await context(bot, speaker)
        assert ctx.account == speaker.account
        for command in walk(bot.registry):
            said = await verdict(ctx, command)
            # confirm itself is public: its row is about whose code runs (the matrix's).
            allowed = VERDICTS[(command.path, platform, role)] or command.path == "confirm"
            if allowed:
                assert said is None, (command.path, role, said)
            else:
                assert said == refusal(command, speaker, ""), (command.path, role)
            checked += 1
    assert checked == len(ROLES) * len(walk(bot.registry))


async def test_when_the_directory_is_down_no_one_is_called_unlinked(bot: Bot) -> None:
    unlinked = await context(bot, SPEAKERS[("zulip", "U")], problem=DOWN)
    linked = await context(bot, SPEAKERS[("irc", "O")], problem=DOWN)
    nobody = await context(bot, SPEAKERS[("irc", "N")])  # nothing was asked for them
    by_path = {c.path: c for c in walk(bot.registry)}
    for ctx, path in ((unlinked, "restart"), (unlinked, "ack"), (linked, "link add")):
        with pytest.raises(DirectoryUnavailable) as raised:
            authorize_speaker(ctx, by_path[path])
        assert raised.value.sentence == DOWN, path
    # What the directory is not needed for still works, or is refused as ever.
    authorize_speaker(unlinked, by_path["migrate"])
    authorize_speaker(linked, by_path["ack"])
    authorize_speaker(nobody, by_path["status"])
    with pytest.raises(PermissionDenied):
        authorize_speaker(nobody, by_path["restart"])


def test_the_tool_a_command_acts_on() -> None:
    with_arg = Command("restart", "", None, permission=Permission.MAINTAINER, tool_arg="tool")
    assert tool_of(with_arg, Invocation("restart", {"tool": "x"})) == "x"
    assert tool_of(with_arg, Invocation("restart", {})) is None
    loaded = Command("migrate go", "", None, permission=Permission.MAINTAINER)
    assert tool_of(loaded, Invocation("migrate go", subject=Migration("y"))) == "y"
    assert tool_of(loaded, Invocation("migrate go", subject=object())) is None
    assert tool_of(loaded, Invocation("migrate go")) is None


async def test_a_maintainer_command_must_know_its_tool(bot: Bot) -> None:
    ctx = await context(bot, SPEAKERS[("console", "M")])
    toolless = Command("x", "", None, permission=Permission.MAINTAINER)
    with pytest.raises(AssertionError, match="x declares no tool"):
        await authorize_tool(ctx, toolless, Invocation("x"))


async def test_only_maintainer_commands_look_the_tool_up(bot: Bot) -> None:
    ctx = await context(bot, SPEAKERS[("console", "O")])
    for permission in (Permission.PUBLIC, Permission.VERIFIED, Permission.IDENTIFIED,
                       Permission.ADMIN):  # fmt: skip
        public = Command("x", "", None, permission=permission, tool_arg="tool")
        await authorize_tool(ctx, public, Invocation("x", {"tool": "no-such-tool"}))
