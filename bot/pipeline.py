"""One path for every command and sub-command.

    authorise the speaker -> load -> authorise on the tool -> check
        -> confirm (with a code, for what changes things) -> run -> audit

``load`` and ``check`` have no side effects, so anything that can be known
before acting (there is no such job, this repository is not the tool's) is
said before a confirmation code is issued. A code runs only if, when it is
used, the same steps describe exactly the same action; otherwise it is stale.
Every attempt of an audited command leaves a row: refused, invalid, stale,
failed or what the handler reports.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import secrets
import time
from typing import TYPE_CHECKING

from bot.commands import Command, Confirmation, Invocation
from bot.errors import ForgebotError, PermissionDenied, UnknownTool, UsageError
from bot.held_secrets import HeldSecrets, loggable, split_secrets
from bot.policy import authorize_speaker, authorize_tool, tool_of
from bot.reply import Reply, Strong, Text
from bot.sal import Acted
from bot.text import quote_user

if TYPE_CHECKING:
    from bot.context import Context
    from bot.ratelimit import RateLimits
    from bot.registry import CommandRegistry
    from bot.sal import ServerAdminLog
    from bot.services import Services
    from bot.store import PendingConfirmation

log = logging.getLogger(__name__)

STALE = "that confirmation is for an action that is no longer current; ask again for a new code"


class Reported(Exception):
    """An unexpected failure already logged under ``ref``."""

    def __init__(self, ref: str) -> None:
        super().__init__(ref)
        self.ref = ref


def new_ref() -> str:
    return secrets.token_hex(3).upper()


class Pipeline:
    def __init__(
        self,
        services: Services,
        registry: CommandRegistry,
        confirm_ttl_seconds: int,
        limits: RateLimits,
    ) -> None:
        self.services = services
        self.registry = registry
        self.confirm_ttl_seconds = confirm_ttl_seconds
        self.limits = limits
        self.sal: ServerAdminLog | None = None  # set by the core when [sal] is configured
        self.held = HeldSecrets()

    async def execute(
        self,
        ctx: Context,
        command: Command,
        invocation: Invocation,
        *,
        confirmed: PendingConfirmation | None,
    ) -> Reply:
        """Run ``command``; ``confirmed`` is the confirmation whose code was just used."""
        started = time.perf_counter()
        result = "error"  # until it is known to be anything else
        try:
            reply = await self._execute(ctx, command, invocation, confirmed)
            result = _result(reply)
            return reply
        except (PermissionDenied, UnknownTool):
            result = "refused"
            raise
        except UsageError:
            result = "invalid"
            raise
        except ForgebotError:
            result = "failed"
            raise
        finally:
            elapsed = time.perf_counter() - started
            self.services.metrics.command_done(command.path, result, elapsed)

    async def _execute(
        self, ctx: Context, command: Command, invocation: Invocation,
        confirmed: PendingConfirmation | None,
    ) -> Reply:  # fmt: skip
        assert command.handler is not None, f"{command.path} has no handler"
        try:
            authorize_speaker(ctx, command)
            if command.load is not None:
                invocation = dataclasses.replace(
                    invocation, subject=await command.load(ctx, invocation)
                )
            await authorize_tool(ctx, command, invocation)
            if command.check is not None:
                invocation = dataclasses.replace(
                    invocation, checked=await command.check(ctx, invocation)
                )
            asked = _confirmation(command, invocation)
            if confirmed is not None and not _same(asked, confirmed):
                raise _Stale(STALE)
        except (PermissionDenied, UnknownTool) as refusal:
            await self._audit(ctx, command, invocation, "refused", refusal.sentence)
            raise
        except _Stale as stale:
            await self._audit(ctx, command, invocation, "stale", stale.sentence)
            raise UsageError(stale.sentence) from None
        except UsageError as invalid:
            await self._audit(ctx, command, invocation, "invalid", invalid.sentence)
            raise
        except ForgebotError as error:
            await self._audit(ctx, command, invocation, "failed", error.sentence)
            raise
        if asked is not None and confirmed is None:
            return await self._ask_confirmation(ctx, command, invocation, asked)
        acting = asked.description if asked is not None and confirmed is not None else None
        return await self._run(ctx, command, invocation, acting)

    async def _run(
        self, ctx: Context, command: Command, invocation: Invocation, acting: str | None = None
    ) -> Reply:
        """Run the handler between an intent row and its outcome.

        The intent is written first: if it cannot be, nothing is done; if the
        outcome cannot be written afterwards, the row still says the action started.
        ``acting`` is what a confirmed action was described as: when it succeeds,
        the tool's Server Admin Log hears of it (:mod:`bot.sal`).
        """
        assert command.handler is not None
        # Named before the handler runs: it may change what the name is read from.
        audit = _Audit(self.services, ctx, command, invocation)
        await audit.start()
        try:
            reply = await command.handler(ctx, invocation)
        except ForgebotError as error:
            await audit.finish("failed", error.sentence)
            raise
        except Exception:
            ref = new_ref()
            values = loggable(invocation.values, command.secret_args)
            log.exception("ref %s: command %s %r failed", ref, command.path, values)
            await audit.finish("failed", f"internal error ref {ref}")
            raise Reported(ref) from None
        result = reply.meta.get("audit_result") or ("failed" if reply.is_error else "ok")
        await audit.finish(result, reply.meta.get("audit", reply.summary))
        if acting is not None and result == "ok" and audit.tool and self.sal is not None:
            self.sal.note(audit.acted(acting))
        return reply

    async def run_confirmed(self, ctx: Context, code: str) -> Reply:
        audit = _Audit(self.services, ctx, CONFIRM, Invocation("confirm"))
        locked = self.limits.confirm_locked(ctx.chat_key)
        if not locked.allowed:
            self.services.metrics.refused(ctx.message.platform, "wrong_codes")
            await audit.row("locked", f"code {quote_user(code, 12)}")
            raise UsageError(_locked(locked.retry_after))
        pending = await self.services.store.confirmation_take(
            chat_key=ctx.chat_key, code=code, now=self.services.clock()
        )
        if pending is None:
            wrong = (
                f"there is no pending action with code {quote_user(code)} for you; "
                "codes work once, only for whoever asked, and expire"
            )
            now_locked = self.limits.wrong_code(ctx.chat_key)
            await audit.row("wrong code", f"code {quote_user(code, 12)}")
            if now_locked:
                lock = self.limits.confirm_locked(ctx.chat_key)
                raise UsageError(f"{wrong}. {_locked(lock.retry_after)}")
            raise UsageError(wrong)
        command = self.registry.find(pending.command)
        if command is None or command.handler is None:
            raise UsageError(f"the command {pending.command} no longer exists")
        arguments = pending.load_arguments()
        arguments.update(self.held.take(ctx.chat_key, code, self.services.clock()))
        invocation = Invocation(command.path, arguments)
        return await self.execute(ctx, command, invocation, confirmed=pending)

    async def _ask_confirmation(
        self, ctx: Context, command: Command, invocation: Invocation, asked: Confirmation
    ) -> Reply:
        ttl = self.confirm_ttl_seconds
        description = asked.description
        # A secret value (an envvar's) waits in memory, never in the confirmations table.
        stored, hidden = split_secrets(invocation.values, command.secret_args)
        now = self.services.clock()
        code = await self.services.store.confirmation_create(
            chat_key=ctx.chat_key,
            command=command.path,
            arguments=stored,
            description=description,
            binding=_digest(asked.binding),
            now=now,
            ttl_seconds=ttl,
        )
        self.held.hold(ctx.chat_key, code, hidden, now, ttl)
        await self._audit(ctx, command, invocation, "requested", description)
        within = f"{ttl // 60} minutes" if ttl % 60 == 0 and ttl >= 120 else f"{ttl} seconds"
        preview = asked.preview.parts if asked.preview is not None else ()
        return Reply(
            (
                Text.of(f"This will {description}."),
                *preview,
                Text.of(
                    "To go ahead, reply ", Strong(ctx.hint(f"confirm {code}")), f" within {within}."
                ),
            ),
            summary=f"confirm with {ctx.hint(f'confirm {code}')}",
            meta={"confirm_code": code},
        )

    async def _audit(
        self, ctx: Context, command: Command, invocation: Invocation, result: str, detail: str
    ) -> None:
        await _Audit(self.services, ctx, command, invocation).row(result, detail)


# What a wrong code is audited as; the confirm command itself is not audited.
CONFIRM = Command("confirm", "", None, audit_action="confirm")


class _Audit:
    """The audit row(s) of one attempt (none, for commands that are not audited)."""

    def __init__(
        self, services: Services, ctx: Context, command: Command, invocation: Invocation
    ) -> None:
        self.store = services.store
        self.action = command.audit_name(invocation)
        target = invocation[command.target_arg] if command.target_arg else None
        sender = ctx.message.sender
        # A local operator (the console) acts under an account name of their choosing:
        # the row names who typed it.
        operator = ctx.message.extra.get("operator")
        if operator:
            chat_key = f"{sender.platform}:{operator}"
        elif sender.verified:
            chat_key = sender.key()
        else:
            chat_key = f"{sender.platform}:?{sender.display}"
        self.actor, self.chat_key, self.platform = ctx.account, chat_key, ctx.message.platform
        self.tool, self.target = str(tool_of(command, invocation) or ""), str(target or "")
        self.started: int | None = None

    async def _write(self, action: str, result: str, detail: str) -> int:
        return await self.store.audit(
            actor_account=self.actor,
            chat_key=self.chat_key,
            platform=self.platform,
            action=action,
            tool=self.tool,
            target=self.target,
            result=result,
            detail=detail,
        )

    def acted(self, what: str) -> Acted:
        account = self.actor or self.chat_key
        return Acted(self.tool, what, account, self.chat_key, self.platform)

    async def row(self, result: str, detail: str) -> None:
        if self.action is not None:
            await self._write(self.action, result, detail)

    async def start(self) -> None:
        if self.action is None:
            return
        try:
            self.started = await self._write(self.action, "started", "")
        except Exception:
            log.exception("the audit log refused the intent row of %s", self.action)
            raise ForgebotError(
                "I cannot write to my audit log right now, so I did not do it; try again later"
            ) from None

    async def finish(self, result: str, detail: str) -> None:
        if self.started is None:
            return
        try:
            await self.store.audit_finish(self.started, result=result, detail=detail)
        except Exception:
            # The action happened (or failed) all the same: say so, keep the intent row.
            log.exception("audit row %s stays 'started': its outcome %s was not written",
                          self.started, result)  # fmt: skip


def _result(reply: Reply) -> str:
    """What a reply says of its command, as the metrics count it."""
    if "confirm_code" in reply.meta:
        return "confirm"
    return "failed" if reply.is_error else "ok"


def _locked(seconds: float) -> str:
    return (
        f"Too many wrong codes: confirm is locked for you for {seconds / 60:.0f} minutes "
        f"({seconds:.0f} s); ask again for a new code then"
    )


class _Stale(ForgebotError):
    """A confirmation code for an action that would now be different."""


def _confirmation(command: Command, invocation: Invocation) -> Confirmation | None:
    asked = command.confirm(invocation) if command.confirm is not None else None
    return Confirmation(asked) if isinstance(asked, str) else asked


def _digest(binding: str) -> str:
    return hashlib.sha256(binding.encode()).hexdigest()[:32] if binding else ""


def _same(asked: Confirmation | None, pending: PendingConfirmation) -> bool:
    if asked is None:
        return False
    return (asked.description, _digest(asked.binding)) == (pending.description, pending.binding)
