"""The core: every adapter hands each Message to :meth:`Bot.handle`.

It decides whether the message concerns the bot, parses the command, applies
the declared policy (identity, permission, confirmation, audit), runs the
handler and returns a neutral Reply. One failing handler never stops the
bot: the user gets a reference, the log gets the traceback under the same one.
"""

from __future__ import annotations

import logging
import secrets

from bot.addressing import command_line
from bot.arguments import parse_arguments, tokenize
from bot.commands import Command, Invocation
from bot.config import Config
from bot.context import Context
from bot.errors import ForgebotError, PermissionDenied, UnknownTool, UsageError
from bot.identity import resolve_account
from bot.message import Message
from bot.policy import authorize
from bot.registry import CommandRegistry
from bot.reply import Reply, Strong, Text
from bot.services import Services
from bot.text import quote_user

log = logging.getLogger(__name__)


class _Reported(Exception):
    """An unexpected failure already logged under ``ref``."""

    def __init__(self, ref: str) -> None:
        super().__init__(ref)
        self.ref = ref


def _new_ref() -> str:
    return secrets.token_hex(3).upper()


class Bot:
    def __init__(self, config: Config, services: Services, registry: CommandRegistry) -> None:
        self.config = config
        self.services = services
        self.registry = registry

    async def handle(self, message: Message) -> Reply | None:
        """The reply to ``message``, or ``None`` when it was not addressed to the bot."""
        line = command_line(message, self.config.prefix, self.config.bot_name)
        if line is None:
            return None
        try:
            return await self._dispatch(message, line)
        except ForgebotError as error:
            return Reply.error(error.sentence)
        except _Reported as reported:
            return _internal_error_reply(reported.ref)
        except Exception:
            ref = _new_ref()
            log.exception("ref %s: failed to handle %r from %s", ref, line, message.sender.key())
            return _internal_error_reply(ref)

    async def _dispatch(self, message: Message, line: str) -> Reply:
        words = tokenize(line) or ["help"]
        name = words[0].lower()
        command = self.registry.get(name)
        prefix = "" if message.direct else f"{self.config.prefix} "
        if command is None:
            near = self.registry.suggest(name)
            hint = f"; did you mean {near}?" if near else ""
            raise UsageError(f"unknown command {quote_user(name)}{hint} (see {prefix}help)")
        invocation = parse_arguments(command, words[1:])
        account = await resolve_account(message.sender, self.services)
        ctx = Context(
            message=message,
            account=account,
            services=self.services,
            registry=self.registry,
            runner=self,
            prefix=prefix,
            is_admin=account is not None and account in self.config.admins,
        )
        return await self.execute(ctx, command, invocation, confirmed=False)

    async def execute(
        self, ctx: Context, command: Command, invocation: Invocation, *, confirmed: bool
    ) -> Reply:
        try:
            await authorize(ctx, command, invocation)
        except (PermissionDenied, UnknownTool) as refusal:
            await self._audit(ctx, command, invocation, "refused", refusal.sentence)
            raise
        if command.confirm is not None and not confirmed:
            return await self._ask_confirmation(ctx, command, invocation)
        try:
            reply = await command.handler(ctx, invocation)
        except ForgebotError as error:
            await self._audit(ctx, command, invocation, "failed", error.sentence)
            raise
        except Exception:
            ref = _new_ref()
            log.exception("ref %s: command %s %r failed", ref, command.name, invocation.values)
            await self._audit(ctx, command, invocation, "failed", f"internal error ref {ref}")
            raise _Reported(ref) from None
        result = "failed" if reply.is_error else "ok"
        await self._audit(ctx, command, invocation, result, reply.meta.get("audit", reply.summary))
        return reply

    async def run_confirmed(self, ctx: Context, code: str) -> Reply:
        pending = await self.services.store.confirmation_take(
            chat_key=ctx.chat_key, code=code, now=self.services.clock()
        )
        if pending is None:
            raise UsageError(
                f"there is no pending action with code {quote_user(code)} for you; "
                "codes work once, only for whoever asked, and expire"
            )
        command = self.registry.get(pending.command)
        if command is None:
            raise UsageError(f"the command {pending.command} no longer exists")
        invocation = Invocation(pending.command, pending.load_arguments())
        return await self.execute(ctx, command, invocation, confirmed=True)

    async def _ask_confirmation(
        self, ctx: Context, command: Command, invocation: Invocation
    ) -> Reply:
        assert command.confirm is not None
        description = command.confirm(invocation)
        ttl = self.config.confirm_ttl_seconds
        code = await self.services.store.confirmation_create(
            chat_key=ctx.chat_key,
            command=command.name,
            arguments=invocation.values,
            description=description,
            now=self.services.clock(),
            ttl_seconds=ttl,
        )
        within = f"{ttl // 60} minutes" if ttl % 60 == 0 and ttl >= 120 else f"{ttl} seconds"
        return Reply(
            (
                Text.of(f"This will {description}."),
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
        if command.audit_action is None:
            return
        target = invocation[command.target_arg] if command.target_arg else None
        tool = invocation[command.tool_arg] if command.tool_arg else None
        sender = ctx.message.sender
        chat_key = sender.key() if sender.verified else f"{sender.platform}:?{sender.display}"
        await self.services.store.audit(
            actor_account=ctx.account,
            chat_key=chat_key,
            platform=ctx.message.platform,
            action=command.audit_action,
            tool=str(tool or ""),
            target=str(target or ""),
            result=result,
            detail=detail[:1000],
        )


def _internal_error_reply(ref: str) -> Reply:
    return Reply.error(f"something went wrong (ref {ref}); the forgebot maintainers can look it up")
