"""The core: every adapter hands each Message to :meth:`Bot.handle`.

It decides whether the message concerns the bot, finds the command (and
sub-command), parses its arguments and runs it through the one pipeline
(:mod:`bot.pipeline`). One failing handler never stops the bot: the user gets
a reference, the log gets the traceback under the same one.

Adapters hand each message to :meth:`Bot.submit` as it arrives, so that one
person's messages are answered in the order they were sent (``restart`` then
an immediate ``confirm``) while different people are served concurrently.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.adapter import Adapter
from bot.addressing import command_line, may_address
from bot.arguments import Words, parse_arguments
from bot.bulletin.reactions import reaction_line
from bot.commands import Command
from bot.config import Config
from bot.context import Context
from bot.errors import ForgebotError, UsageError
from bot.identity import LOCAL_PLATFORMS, is_admin, resolve_identity
from bot.log_follow import LogFollows
from bot.long_answers import LongAnswers
from bot.message import Message
from bot.ordering import SpeakerQueues
from bot.paste import Pastes
from bot.phrasing import annotated, says_my_tool, understand
from bot.pipeline import Pipeline, Reported, new_ref
from bot.ratelimit import ALLOWED, RateLimits
from bot.registry import CommandRegistry
from bot.reply import Reply
from bot.sal import ServerAdminLog
from bot.services import Services
from bot.text import quote_user

log = logging.getLogger(__name__)


class Bot:
    def __init__(self, config: Config, services: Services, registry: CommandRegistry) -> None:
        self.config = config
        self.services = services
        self.registry = registry
        limits = config.limits
        self.limits = RateLimits(
            commands=limits.commands,
            unidentified_commands=limits.unidentified_commands,
            unidentified_total=limits.unidentified_total,
            wrong_codes=limits.wrong_codes,
        )
        ttl = config.bot.confirm_ttl_seconds
        self.pipeline = Pipeline(services, registry, ttl, self.limits)
        if config.sal.destinations:
            self.pipeline.sal = ServerAdminLog(config.sal, services.store, self.deliver)
        self.answers = LongAnswers(lambda: services.clock(), config.pages.ttl_seconds)
        services.answers = self.answers
        self.follows = LogFollows(services.toolforge, self.deliver)
        services.follows = self.follows
        self.queues = SpeakerQueues()
        self.pastes = Pastes(services)
        self.adapters: dict[str, Adapter] = {}
        services.metrics.watch_chat(self.adapters.values)

    def attach(self, adapter: Adapter) -> None:
        """Register a running adapter, so that replies nobody asked for (a link made in a
        browser, announcements) can reach its platform."""
        self.adapters[adapter.platform] = adapter

    async def deliver(self, platform: str, destination: str, reply: Reply) -> None:
        """Send ``reply`` to ``destination`` on ``platform``; raises if nothing can carry it."""
        adapter = self.adapters.get(platform)
        if adapter is None:
            raise LookupError(f"no {platform} adapter is running")
        await adapter.send(destination, reply)

    def submit(self, speaker: str, work: Callable[[], Awaitable[None]]) -> None:
        """Run ``work`` after the earlier work of the same speaker, concurrently with others'.

        ``speaker`` is the platform's own key for the person (an IRC nick, a
        Zulip or Slack user id), known at arrival before any identity lookup.
        """
        self.queues.submit(speaker, work)

    def may_address(self, text: str) -> bool:
        return may_address(text, self.config.bot.prefix, self.config.bot.name)

    async def handle(self, message: Message) -> Reply | None:
        """The reply to ``message``, or ``None`` when it was not addressed to the bot."""
        try:
            line = await self._command_line(message)
            if line is None:
                return None
            verdict = (
                self.limits.command(message.sender)
                if message.platform not in LOCAL_PLATFORMS  # the operator's own terminal
                else ALLOWED
            )
            if not verdict.allowed:
                log.info("rate limit: %s", message.sender.key() or message.sender.display)
                self.services.metrics.refused(message.platform, "commands")
                if not verdict.first_refusal:
                    return None  # told once already: silence until the window passes
                raise UsageError(
                    "you are sending commands faster than I answer them; I will listen to you "
                    f"again in {verdict.retry_after:.0f} s (help says the limits)"
                )
            reply = await self._dispatch(message, line)
            if message.reaction is not None and reply.meta.get("ack") == "already":
                return None  # a second emoji on the same announcement: nothing to say
            prefix = "" if message.direct else f"{self.config.bot.prefix} "
            return self.answers.shape(message, reply, prefix)
        except ForgebotError as error:
            return Reply.error(error.sentence)
        except Reported as reported:
            return _internal_error_reply(reported.ref)
        except Exception:
            ref = new_ref()
            log.exception(
                "ref %s: failed to handle %r from %s", ref, self._loggable(message.text),
                message.sender.key(),
            )  # fmt: skip
            return _internal_error_reply(ref)

    def _loggable(self, text: str) -> str:
        """The message as a log may quote it: not at all when it may carry a secret value."""
        words = [w.lower().strip(":,") for w in text.split()[:4]]
        for word in words:
            command = self.registry.get(word)
            if command is not None and command.carries_secrets():
                return f"(a {command.name} command; its words are not logged)"
        return text[:200]

    async def _command_line(self, message: Message) -> str | None:
        """The command the message carries, ``None`` when there is none for the bot.

        In a direct conversation with a paste in progress, the message is one
        more line of it, or the word that finishes it (and so runs the command).
        A reaction stands for the command it means (an announcement's: ``ack``).
        """
        if message.reaction is not None:
            return reaction_line(message)
        if message.direct and message.sender.verified:
            fed = await self.pastes.feed(message.sender.key(), message.text)
            if fed is not None:
                if fed.cancelled:
                    raise UsageError("the paste is dropped; nothing was run")
                return fed.line
        return command_line(message, self.config.bot.prefix, self.config.bot.name)

    async def _dispatch(self, message: Message, line: str) -> Reply:
        prefix = "" if message.direct else f"{self.config.bot.prefix} "
        first = line.split(maxsplit=1)[0] if line.strip() else None
        known = first is not None and self.registry.get(first.lower()) is not None
        if first is not None and (not known or says_my_tool(line)):
            # Not a command: perhaps a question in plain words ("why is mytool down?").
            understood = await understand(line, message.sender, self.services, prefix)
            if understood is not None:
                if understood.reply is not None:
                    return understood.reply
                reply = await self._dispatch(message, understood.line)
                return annotated(reply, understood.note)
        words = Words(line)
        command = self._find(words, prefix)
        can_paste = message.direct and message.sender.verified
        first = words.peek()
        try:
            invocation = parse_arguments(command, words, pasting=can_paste)
        except UsageError as error:
            subs = [s.name for s in command.subcommands]
            near = self.registry.suggest(first, subs) if first and subs else None
            if near is None:
                raise
            raise UsageError(f"{error.sentence} (did you mean {command.path} {near}?)") from None
        pasted = command.pasted
        if pasted is not None and invocation[pasted.name] is None:
            await self.pastes.start(message.sender.key(), line)
            return Reply.text(
                "Paste the lines now, as many as you need; then say 'end' (or 'cancel')."
            )
        resolved = await resolve_identity(message.sender, self.services)
        admin, admin_problem = await is_admin(resolved.account, self.services)
        ctx = Context(
            message=message,
            account=resolved.account,
            services=self.services,
            registry=self.registry,
            runner=self.pipeline,
            prefix=prefix,
            is_admin=admin,
            limits=self.limits.describe(),
            how=resolved.how,
            directory_problem=resolved.problem or admin_problem,
        )
        return await self.pipeline.execute(ctx, command, invocation, confirmed=None)

    def _find(self, words: Words, prefix: str) -> Command:
        """The command the first words name, descending into sub-commands."""
        name = (words.next() or "help").lower()
        command = self.registry.get(name)
        if command is None:
            near = self.registry.suggest(name)
            hint = f"; did you mean {near}?" if near else ""
            raise UsageError(f"unknown command {quote_user(name)}{hint} (see {prefix}help)")
        while command.subcommands:
            word = words.peek()
            sub = command.subcommand(word.lower()) if word else None
            if sub is None:
                break
            words.next()
            command = sub
        if command.handler is None:
            word = words.peek()
            names = [s.name for s in command.subcommands]
            near = self.registry.suggest(word, names) if word else None
            what = f"{quote_user(word)} is not one of them" if word else "say which"
            hint = f"; did you mean {command.path} {near}?" if near else ""
            raise UsageError(
                f"{command.path} has sub-commands {', '.join(names)}: {what}{hint} "
                f"(see {prefix}help {command.path})"
            )
        return command


def _internal_error_reply(ref: str) -> Reply:
    return Reply.error(f"something went wrong (ref {ref}); the forgebot maintainers can look it up")
