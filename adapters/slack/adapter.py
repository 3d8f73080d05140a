"""The Slack adapter: bolt (async) in, Block Kit out.

Three ways in: the ``/toolforge`` slash command, ``app_mention`` in channels
and messages in the app's DMs (channel messages starting with the prefix
reach the core too; it decides). Every request is acknowledged at once and
answered in the background, so a slow command never misses Slack's
3-second deadline. Socket Mode (default) needs no public URL and
reconnects by itself; HTTP mode is served by the bot's own aiohttp server
through :meth:`SlackAdapter.web_app`, with bolt verifying signatures.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.plain import render_lines
from adapters.slack.config import SlackConfig
from adapters.slack.inbound import PLATFORM, UserDirectory, strip_mention, to_plain
from adapters.slack.render import SlackMessage, notice, render
from adapters.slack.replays import REPLAY_WINDOW, Replays
from bot.adapter import Core, Route, SendFailed
from bot.backoff import Backoff
from bot.message import Fit, Message, Reaction
from bot.reply import Reply

log = logging.getLogger(__name__)

PRIVATE_NOTICE = "I sent you the answer in a direct message."
# chat.postMessage errors that no retry can cure.
PERMANENT_ERRORS = frozenset({
    "channel_not_found", "user_not_found", "is_archived", "not_in_channel",
    "cannot_dm_bot", "user_disabled", "restricted_action", "msg_too_long",
})  # fmt: skip
ATTACHED = "forgebot-answer.txt"
Respond = Callable[..., Awaitable[Any]]


class SlackAdapter:
    platform = PLATFORM

    def __init__(self, config: SlackConfig, bot: Core) -> None:
        self.config = config
        self.bot = bot
        # Beyond this the core attaches the whole answer: Slack uploads it as a file.
        self.fit = Fit(chars=config.comfortable_chars, uploads=True)
        self.client = AsyncWebClient(
            token=config.bot_token,
            base_url=config.base_url or AsyncWebClient.BASE_URL,
            retry_handlers=[
                AsyncConnectionErrorRetryHandler(),
                AsyncRateLimitErrorRetryHandler(max_retry_count=3),  # waits for Retry-After
            ],
        )
        self.app = AsyncApp(
            client=self.client,
            signing_secret=config.signing_secret,
            request_verification_enabled=config.mode == "http",
            process_before_response=False,
        )
        self.users = UserDirectory(
            self.client, ttl=config.email_cache_seconds, lookup=config.lookup_email
        )
        self.ready = asyncio.Event()
        self.bot_user_id: str | None = None
        self._seen: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._replays = Replays(window=REPLAY_WINDOW)
        self.app.command(config.slash_command)(self._on_command)
        self.app.event("app_mention")(self._on_event)
        self.app.event("message")(self._on_event)
        self.app.event("reaction_added")(self._on_reaction)
        # Everything else is acknowledged too, or Slack would keep retrying it.
        self.app.event(re.compile(".*"))(self._ignore)

    # -- connection --------------------------------------------------------

    async def run(self) -> None:
        handler: AsyncSocketModeHandler | None = None
        try:
            await self._identify_self()
            if self.config.mode == "socket":
                handler = AsyncSocketModeHandler(
                    self.app,
                    self.config.app_token,
                    web_client=self.client,
                    ping_interval=self.config.ping_interval,
                )
                # Retries until connected; afterwards the socket mode client reconnects on
                # a dropped socket, a "disconnect" message or a missed pong by itself.
                await handler.connect_async()
            self.ready.set()
            await asyncio.Event().wait()
        finally:
            self.ready.clear()
            if handler is not None:
                await handler.close_async()

    async def _identify_self(self) -> None:
        backoff = Backoff(self.config.backoff_initial, self.config.backoff_max)
        while True:
            try:
                response = await self.client.auth_test()
                self.bot_user_id = str(response["user_id"])
                self.users.home_team = str(response.get("team_id") or "")
                return
            except Exception as error:
                delay = backoff.next()
                log.warning("cannot reach Slack (%r); retrying in %.1f s", error, delay)
                await asyncio.sleep(delay)

    def http_routes(self) -> list[Route]:
        """Routes the bot's own HTTP server must serve (HTTP Events mode only)."""
        if self.config.mode != "http":
            return []
        return [("POST", self.config.events_path, self.handle_http)]

    def web_app(self) -> web.Application:
        """An aiohttp app answering Slack's HTTP events at ``events_path``."""
        app = web.Application()
        app.router.add_post(self.config.events_path, self.handle_http)
        return app

    async def handle_http(self, request: web.Request) -> web.Response:
        """One Slack HTTP request (signature checked by bolt) -> the acknowledgement.

        Bolt refuses requests older than five minutes; within those, a request seen
        before (the same signature) is a replay, refused here: Slack signs each
        delivery and each retry afresh.
        """
        signature = request.headers.get("X-Slack-Signature", "")
        if signature and self._replays.seen(signature):
            log.warning("refused a replayed Slack request")
            return web.Response(status=401, text="replayed request")
        response = await self.app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    # -- requests in -------------------------------------------------------

    async def _on_command(self, ack: Any, command: dict[str, Any], respond: Respond) -> None:
        await ack()  # first, whatever happens next
        user = str(command.get("user_id", ""))
        self.bot.submit(f"slack:{user}", lambda: self._answer_command(command, respond))

    async def _answer_command(self, command: dict[str, Any], respond: Respond) -> None:
        channel = str(command.get("channel_id", ""))
        user_id = str(command["user_id"])
        team = str(command.get("team_id", ""))
        sender = await self.users.identity(user_id, str(command.get("user_name", "")), team)
        if sender.is_bot:
            return
        message = Message(
            platform=PLATFORM,
            sender=sender.identity,
            text=to_plain(str(command.get("text", ""))).strip(),
            room=channel,
            direct=channel.startswith("D"),
            mentioned=True,  # a slash command is addressed to the bot by construction
            extra={"slash_command": str(command.get("command", "")),
                   "team": str(command.get("team_id", ""))},
            fit=self.fit,
        )
        reply = await self._ask(message)
        if reply is None:
            return
        await self._respond(reply, respond, channel, user_id)
        if reply.aside is not None:
            await self._respond(replace(reply.aside, private=True), respond, channel, user_id)

    async def _respond(self, reply: Reply, respond: Respond, channel: str, user_id: str) -> None:
        kind = "ephemeral" if reply.private else "in_channel"
        for page in render(reply, self.config.max_messages_per_reply):
            try:
                answer = await respond(text=page.text, blocks=page.blocks, response_type=kind,
                                       replace_original=False)
                problem = None if answer.status_code == 200 else f"HTTP {answer.status_code}"
            except Exception as error:
                problem = repr(error)
            if problem is not None:  # response_url expired or used up: post instead
                log.warning("response_url failed (%s); posting instead", problem)
                if reply.private:
                    await self._post_ephemeral(channel, user_id, page)
                else:
                    await self._post(channel, page)
        if reply.attached is not None:  # a file cannot be ephemeral: a private one goes to the DM
            await self._attach(user_id if reply.private else channel, reply.attached)

    async def _on_event(self, ack: Any, event: dict[str, Any], context: Any) -> None:
        await ack()
        # Known from auth.test in run(); bolt's context has it too if a request comes first.
        self.bot_user_id = self.bot_user_id or context.bot_user_id
        if event.get("subtype") or event.get("bot_id") or "user" not in event:
            return  # edits, joins and other bots' messages are not commands
        key = (str(event.get("channel", "")), str(event.get("ts", "")))
        if key in self._seen:
            return  # the same message as "message" and "app_mention", or a retry
        self._seen[key] = None
        while len(self._seen) > 5000:
            self._seen.popitem(last=False)
        self.bot.submit(f"slack:{event['user']}", lambda: self._answer_event(event))

    async def _ignore(self, ack: Any) -> None:
        await ack()

    async def _answer_event(self, event: dict[str, Any]) -> None:
        channel, user_id = str(event["channel"]), str(event["user"])
        text, mentioned = strip_mention(str(event.get("text", "")), self.bot_user_id)
        direct = event.get("channel_type") == "im" or channel.startswith("D")
        thread = event.get("thread_ts")
        sender = await self.users.identity(user_id, team=str(event.get("team", "")))
        if sender.is_bot:
            return  # another app's bot user: never a command
        message = Message(
            platform=PLATFORM,
            sender=sender.identity,
            text=to_plain(text).strip(),
            room=channel,
            direct=direct,
            thread=str(thread) if thread else None,
            mentioned=mentioned or event.get("type") == "app_mention",
            extra={"ts": str(event.get("ts", ""))},
            fit=self.fit,
        )
        reply = await self._ask(message)
        if reply is None:
            return
        if reply.private and not direct:
            await self._send_reply(user_id, reply)  # a user id opens the app's DM
            await self._post_ephemeral(channel, user_id, notice(reply.summary or PRIVATE_NOTICE))
        else:
            await self._send_reply(channel, reply, thread=message.thread)
        if reply.aside is not None:
            await self._send_reply(user_id, reply.aside)  # a user id opens the app's DM

    async def _on_reaction(self, ack: Any, event: dict[str, Any], context: Any) -> None:
        await ack()
        self.bot_user_id = self.bot_user_id or context.bot_user_id
        item = event.get("item") or {}
        channel = str(item.get("channel", ""))
        if (item.get("type") != "message" or not channel.startswith("D")
                or event.get("item_user") != self.bot_user_id or "user" not in event):
            return  # only a reaction on the bot's own message in its DM reaches the core
        self.bot.submit(f"slack:{event['user']}", lambda: self._answer_reaction(event))

    async def _answer_reaction(self, event: dict[str, Any]) -> None:
        item = event["item"]
        channel, ts = str(item["channel"]), str(item["ts"])
        sender = await self.users.identity(str(event["user"]))
        if sender.is_bot:
            return
        try:
            found = await self.client.conversations_history(
                channel=channel, latest=ts, inclusive=True, limit=1
            )
        except Exception as error:
            log.warning("could not read the message %s reacted to: %r", ts, error)
            return
        messages = [m for m in found.get("messages") or [] if m.get("ts") == ts]
        if not messages:
            return
        reaction = Reaction(str(event.get("reaction", "")), f"{channel}:{ts}",
                            to_plain(str(messages[0].get("text", ""))))  # fmt: skip
        message = Message(PLATFORM, sender.identity, "", room=channel, direct=True,
                          reaction=reaction)  # fmt: skip
        reply = await self._ask(message)
        if reply is not None:
            await self._send_reply(channel, reply)

    async def _ask(self, message: Message) -> Reply | None:
        try:
            return await self.bot.handle(message)
        except Exception:
            log.exception("the bot failed on a Slack message from %s", message.sender.key())
            return None

    # -- messages out ------------------------------------------------------

    async def send(self, destination: str, reply: Reply) -> None:
        """Announce to a channel id (``C…``), a user (``U…``, or their chat key
        ``slack:T…:U…``: their DM); raises SendFailed when Slack did not take it."""
        channel = destination.removeprefix(f"{PLATFORM}:").rpartition(":")[2]
        for page in render(reply, self.config.max_messages_per_reply):
            await self._post_checked(channel, page)

    async def send_direct(self, user_id: str, reply: Reply) -> None:
        """A DM to the user ``U…`` (or ``T…:U…``, as in their chat key)."""
        await self.send(user_id, reply)

    async def _send_reply(self, channel: str, reply: Reply, thread: str | None = None) -> None:
        for page in render(reply, self.config.max_messages_per_reply):
            if not await self._post(channel, page, thread):
                return
        if reply.attached is not None:
            await self._attach(channel, reply.attached, thread)

    async def _attach(self, channel: str, whole: Reply, thread: str | None = None) -> None:
        """Upload ``whole`` as a text file (files.getUploadURLExternal and
        completeUploadExternal, through the SDK); a user id means their DM."""
        try:
            if channel.startswith("U"):
                opened = await self.client.conversations_open(users=channel)
                channel = str(opened["channel"]["id"])
            await self.client.files_upload_v2(
                channel=channel, filename=ATTACHED, title="the whole answer",
                content="\n".join(render_lines(whole)), thread_ts=thread,
            )  # fmt: skip
        except Exception as error:
            log.warning("the whole answer could not be uploaded to %s: %r", channel, error)
            await self._post(channel, notice("(the whole answer could not be uploaded)"), thread)

    async def _post(self, channel: str, page: SlackMessage, thread: str | None = None) -> bool:
        try:
            await self._post_checked(channel, page, thread)
            return True
        except SendFailed as failed:
            log.warning("chat.postMessage to %s failed: %s", channel, failed.sentence)
            return False

    async def _post_checked(
        self, channel: str, page: SlackMessage, thread: str | None = None
    ) -> None:
        """One chat.postMessage (the client waits out a few 429s itself); SendFailed if not."""
        try:
            await self.client.chat_postMessage(
                channel=channel, text=page.text, blocks=page.blocks, thread_ts=thread
            )
        except SlackApiError as error:
            response = error.response
            code = str(response.get("error", "")) if response is not None else ""
            status = response.status_code if response is not None else 0
            if status == 429:
                wait = response.headers.get("Retry-After") or response.headers.get("retry-after")
                raise SendFailed(
                    "Slack is rate limiting forgebot", retry_after=float(wait or 1)
                ) from None
            raise SendFailed(
                f"Slack refused it: {code or status}", permanent=code in PERMANENT_ERRORS
            ) from None
        except Exception as error:
            raise SendFailed(f"Slack could not be reached: {error!r}") from None

    async def _post_ephemeral(self, channel: str, user: str, page: SlackMessage) -> None:
        try:
            await self.client.chat_postEphemeral(
                channel=channel, user=user, text=page.text, blocks=page.blocks
            )
        except Exception as error:
            log.warning("chat.postEphemeral to %s failed: %r", channel, error)
