"""Policy through the core: declared permissions, re-checks at confirmation, and the audit trail."""

from __future__ import annotations

import re

import pytest

from bot.commands import Invocation, Permission, command
from bot.context import Context
from bot.core import Bot
from bot.errors import ToolforgeInvalid
from bot.message import ChatIdentity, Message
from bot.reply import Reply, plain_text
from bot.toolforge.sandbox import Sandbox
from tests.conftest import HANG_TIMEOUT


def irc(account: str | None, text: str) -> Message:
    return Message("irc", ChatIdentity("irc", account, account or "anon"), text, direct=True)


def console(account: str, text: str) -> Message:
    return Message("console", ChatIdentity("console", account, account), text, direct=True)


async def ask(bot: Bot, message: Message) -> str:
    reply = await bot.handle(message)
    assert reply is not None
    return plain_text(reply)


async def _ok(ctx: Context, inv: Invocation) -> Reply:
    return Reply.text(f"ran for {ctx.account}")


async def _refuses(ctx: Context, inv: Invocation) -> Reply:
    return Reply.error("the thing did not work")


async def _raises(ctx: Context, inv: Invocation) -> Reply:
    raise ToolforgeInvalid("the jobs service refused the request: nope; nothing was changed.")


async def _crashes(ctx: Context, inv: Invocation) -> Reply:
    raise RuntimeError("boom")


@pytest.fixture
def registered(bot: Bot) -> Bot:
    bot.registry.register(command("sre-only", summary="t", permission=Permission.ADMIN)(_ok))
    bot.registry.register(command("me-only", summary="t", permission=Permission.IDENTIFIED)(_ok))
    for name, handler in (("soft-fail", _refuses), ("api-fail", _raises), ("crash", _crashes)):
        bot.registry.register(
            command(name, summary="t", audit_action=name, args=())(handler)  # type: ignore[arg-type]
        )
    return bot


async def test_admin_commands_are_for_configured_admins_only(registered: Bot) -> None:
    assert "ran for root-sre" in await ask(registered, console("root-sre", "sre-only"))
    assert "only forgebot admins may use sre-only" in await ask(
        registered, console("alice", "sre-only")
    )
    assert "identify to NickServ" in await ask(registered, irc(None, "sre-only"))


async def test_identified_commands_need_a_linked_account(registered: Bot) -> None:
    assert "not linked" in await ask(registered, irc("someone", "me-only"))
    await registered.services.store.link_add("irc:someone", "dave", created_by="test")
    assert "ran for dave" in await ask(registered, irc("someone", "me-only"))


async def test_permission_is_checked_again_when_the_code_is_used(
    bot: Bot, sandbox: Sandbox
) -> None:
    await bot.services.store.link_add("irc:alice-libera", "alice", created_by="test")
    asked = await ask(bot, irc("alice-libera", "restart sample-crashloop"))
    code = re.search(r"confirm (\d{4})", asked)
    assert code
    await bot.services.store.link_remove("irc:alice-libera")  # e.g. an admin unlinked her
    out = await ask(bot, irc("alice-libera", f"confirm {code.group(1)}"))
    assert "not linked" in out
    assert sandbox.restart_count("sample-crashloop", "irc-bot") == 0
    event, requested = await bot.services.store.audit_events(tool="sample-crashloop")
    assert (requested.action, requested.result, requested.actor_account) == (
        "restart", "requested", "alice",
    )
    assert (event.action, event.result, event.actor_account) == ("restart", "refused", None)


async def test_failures_are_audited_with_what_went_wrong(
    registered: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    await ask(registered, console("bob", "soft-fail"))
    await ask(registered, console("bob", "api-fail"))
    crashed = await ask(registered, console("bob", "crash"))
    ref = re.search(r"ref ([0-9A-F]{6})", crashed)
    assert ref
    events = {e.action: e for e in await registered.services.store.audit_events()}
    assert (events["soft-fail"].result, events["soft-fail"].detail) == (
        "failed",
        "the thing did not work",
    )
    assert events["api-fail"].result == "failed" and "nope" in events["api-fail"].detail
    assert events["crash"].result == "failed"
    assert events["crash"].detail == f"internal error ref {ref.group(1)}"


async def test_a_timed_out_restart_is_audited_as_of_unknown_outcome(
    make_bot,
    sandbox: Sandbox,  # type: ignore[no-untyped-def]
) -> None:
    bot = await make_bot(timeout=HANG_TIMEOUT)
    code = re.search(
        r"confirm (\d{4})", await ask(bot, console("alice", "restart sample-crashloop"))
    )
    assert code
    sandbox.hang_next(count=1, method="POST")
    assert "did not answer" in await ask(bot, console("alice", f"confirm {code.group(1)}"))
    event, _requested = await bot.services.store.audit_events(tool="sample-crashloop")
    assert (event.actor_account, event.result) == ("alice", "unknown")
    assert f"did not answer within {HANG_TIMEOUT:g} s; it may or may not have acted" in event.detail
