"""The Zulip adapter: an event queue in, Markdown messages out.

It registers a ``message`` event queue and long-polls it in a thread of its
own (``zulip.Client`` is synchronous). When the server forgets the queue
(``BAD_EVENT_QUEUE_ID``) it registers a new one and fetches the messages
sent in the gap, so no command is lost; message ids already taken in are
skipped, so none is handled twice. Errors back off exponentially; 429
answers wait as long as the server says.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import logging
import os
import time
from collections.abc import Callable
from typing import Any

import zulip

from adapters.plain import render_lines
from adapters.zulip.config import ZulipConfig
from adapters.zulip.edge import ClientThread, ZulipResult
from adapters.zulip.inbound import PLATFORM, Me, Origin, SeenMessages, to_message
from adapters.zulip.render import escape, mention, render
from bot.adapter import Core, Route, SendFailed
from bot.backoff import Backoff
from bot.message import ChatIdentity, Fit, Message, Reaction
from bot.reply import Reply

log = logging.getLogger(__name__)

Target = dict[str, Any]
ClientFactory = Callable[[ZulipConfig], zulip.Client]
PRIVATE_NOTICE = "I sent you the answer in a direct message."


def default_client(config: ZulipConfig) -> zulip.Client:
    return zulip.Client(
        email=config.email,
        api_key=config.api_key,
        site=config.site,
        config_file=os.devnull,  # never pick up a developer's ~/.zuliprc
        retry_on_errors=False,  # the adapter backs off itself, without blocking a thread
        insecure=config.insecure,
        cert_bundle=config.cert_bundle,
        client="forgebot",
    )


class ZulipAdapter:
    platform = "zulip"

    def __init__(
        self,
        config: ZulipConfig,
        bot: Core,
        *,
        client_factory: ClientFactory = default_client,
    ) -> None:
        self.config = config
        self.bot = bot
        self._poller = ClientThread(lambda: client_factory(config), "zulip-poll")
        self._sender = ClientThread(lambda: client_factory(config), "zulip-send")
        self._seen = SeenMessages()
        self._me: Me | None = None
        self._bots: dict[int, bool] = {}  # sender id -> is a bot
        self._limit = config.max_message_length
        self.ready = asyncio.Event()
        self.registrations = 0

    # -- staying connected -------------------------------------------------

    async def run(self) -> None:
        queue_id: str | None = None
        try:
            self._me = await self._connect()
            while True:
                queue_id = None
                queue_id, last_event_id = await self._register()
                self.ready.set()
                await self._poll(queue_id, last_event_id)
        finally:
            self.ready.clear()
            await self._shutdown(queue_id)

    async def _connect(self) -> Me:
        backoff = self._backoff()
        while True:
            try:
                await self._poller.start()
                await self._sender.start()
                result = await self._poller.call("get_profile")
                if result.ok:
                    body = result.body
                    return Me(int(body["user_id"]), str(body["email"]), str(body["full_name"]))
                problem = result.describe()
            except Exception as error:  # zulip raises bare and library errors alike
                problem = repr(error)
            await self._pause(None, backoff, f"cannot reach {self.config.site} ({problem})")

    async def _register(self) -> tuple[str, int]:
        backoff = self._backoff()
        while True:
            try:
                result = await self._poller.call("register", ["message", "reaction"], [])
            except Exception as error:
                await self._pause(None, backoff, f"register failed: {error!r}")
                continue
            if not result.ok:
                await self._pause(result, backoff, f"register refused: {result.describe()}")
                continue
            body = result.body
            server_limit = body.get("max_message_length")
            if isinstance(server_limit, int) and server_limit > 0:
                self._limit = min(self.config.max_message_length, server_limit)
            if self.registrations and self._seen.watermark >= 0:
                await self._catch_up()
            else:
                newest = int(body.get("max_message_id", -1))
                self._seen.watermark = max(self._seen.watermark, newest)
            self.registrations += 1
            log.info("Zulip event queue %s registered", body["queue_id"])
            return str(body["queue_id"]), int(body.get("last_event_id", -1))

    async def _poll(self, queue_id: str, last_event_id: int) -> None:
        """Long-poll ``queue_id`` until the server forgets it."""
        backoff = self._backoff()
        while True:
            try:
                result = await self._poller.call(
                    "get_events", queue_id=queue_id, last_event_id=last_event_id
                )
            except Exception as error:
                await self._pause(None, backoff, f"polling failed: {error!r}")
                continue
            if result.queue_expired:
                log.info("Zulip event queue %s expired; registering a new one", queue_id)
                return
            if not result.ok:
                await self._pause(result, backoff, f"polling refused: {result.describe()}")
                continue
            backoff.reset()
            for event in result.body.get("events", []):
                last_event_id = max(last_event_id, int(event["id"]))
                if event.get("type") == "message":
                    self._take(event["message"])
                elif event.get("type") == "reaction" and event.get("op") == "add":
                    self._take_reaction(event)

    async def _catch_up(self) -> None:
        """Take in the messages sent while no queue was listening."""
        request = {
            "anchor": self._seen.watermark,
            "num_before": 0,
            "num_after": self.config.catch_up_limit,
            "include_anchor": False,
            "narrow": [],
            "apply_markdown": False,
        }
        try:
            result = await self._poller.call("get_messages", request)
        except Exception as error:
            log.warning("could not fetch messages missed while reconnecting: %r", error)
            return
        if not result.ok:
            log.warning("could not fetch missed messages: %s", result.describe())
            return
        too_old = time.time() - self.config.catch_up_max_age
        for raw in sorted(result.body.get("messages", []), key=lambda m: int(m["id"])):
            if float(raw.get("timestamp", time.time())) < too_old:
                self._seen.add(int(raw["id"]))  # a stale command must not run late
                continue
            self._take(raw)

    async def _pause(self, result: ZulipResult | None, backoff: Backoff, problem: str) -> None:
        """Wait before trying again: the backoff's delay, or longer if the server asks."""
        retry_after = result.retry_after if result is not None and result.rate_limited else None
        delay = max(backoff.next(), retry_after or 0.0)
        log.warning("Zulip: %s; waiting %.1f s", problem, delay)
        await asyncio.sleep(delay)

    async def _shutdown(self, queue_id: str | None) -> None:
        if queue_id is not None:
            # Through the sender: the poller thread is parked in a long poll.
            try:
                await asyncio.wait_for(self._sender.call("deregister", queue_id), timeout=2)
            except (Exception, asyncio.CancelledError):
                log.debug("could not deregister Zulip queue %s", queue_id)
        self._poller.close()
        self._sender.close()

    async def _is_bot(self, user_id: int) -> bool:
        """Whether Zulip says ``user_id`` is a bot (asked once per sender)."""
        known = self._bots.get(user_id)
        if known is None:
            try:
                result = await self._sender.call("get_user_by_id", user_id)
            except Exception as error:
                log.warning("could not ask Zulip about user %s: %r", user_id, error)
                return False  # not cached: asked again next time
            if not result.ok:
                return False
            known = bool(result.body.get("user", {}).get("is_bot"))
            self._bots[user_id] = known
            if len(self._bots) > 10_000:
                self._bots.pop(next(iter(self._bots)))
        return known

    def _backoff(self) -> Backoff:
        return Backoff(self.config.backoff_initial, self.config.backoff_max)

    # -- messages in -------------------------------------------------------

    def _take(self, raw: dict[str, Any]) -> None:
        if not self._seen.add(int(raw["id"])):
            return
        assert self._me is not None
        converted = to_message(raw, self._me)
        if converted is not None:
            message, origin = converted
            # Beyond what its messages carry the core attaches the answer: Zulip uploads it.
            fit = Fit(chars=self._limit * self.config.max_messages_per_reply, uploads=True)
            message = dataclasses.replace(message, fit=fit)
            self.bot.submit(f"zulip:{origin.sender_id}", lambda: self._answer(message, origin))

    async def _answer(self, message: Message, origin: Origin) -> None:
        if await self._is_bot(origin.sender_id):
            return  # an integration's bot: its messages are never commands
        try:
            reply = await self.bot.handle(message)
        except Exception:
            log.exception("the bot failed on Zulip message %s", origin.message_id)
            return
        if reply is None:
            return
        if reply.private and not origin.one_to_one:
            await self._send_reply(reply, {"type": "private", "to": [origin.sender_id]})
            notice = reply.summary or PRIVATE_NOTICE
            who = mention(origin.sender_id, origin.sender_name)
            await self._post(_target(origin), f"{who} {escape(notice)}")
        else:
            await self._send_reply(reply, _target(origin))
        if reply.aside is not None:
            await self._send_reply(reply.aside, {"type": "private", "to": [origin.sender_id]})

    def _take_reaction(self, event: dict[str, Any]) -> None:
        assert self._me is not None
        user_id = int(event.get("user_id") or event.get("user", {}).get("user_id") or 0)
        if user_id and user_id != self._me.user_id:
            self.bot.submit(f"zulip:{user_id}", lambda: self._answer_reaction(event, user_id))

    async def _answer_reaction(self, event: dict[str, Any], user_id: int) -> None:
        """A reaction on the bot's own message in a one-to-one DM reaches the core."""
        assert self._me is not None
        if await self._is_bot(user_id):
            return
        message_id = int(event["message_id"])
        try:
            # positional: ClientThread.call's own first parameter is named "method"
            result = await self._sender.call(
                "call_endpoint", f"messages/{message_id}", "GET", {"apply_markdown": "false"}
            )
        except Exception as error:
            log.warning("could not read the message %s reacted to: %r", message_id, error)
            return
        raw = result.body.get("message") if result.ok else None
        if not isinstance(raw, dict) or int(raw.get("sender_id", 0)) != self._me.user_id:
            return  # not the bot's message: a reaction between people
        people = {int(p["id"]): p for p in raw.get("display_recipient") or []
                  if isinstance(p, dict)}  # fmt: skip
        if raw.get("type") != "private" or set(people) != {self._me.user_id, user_id}:
            return  # only in a one-to-one conversation with the bot
        person = people[user_id]
        sender = ChatIdentity(PLATFORM, str(user_id), str(person.get("full_name") or user_id),
                              email=str(person["email"]) if person.get("email") else None)
        text = str(result.body.get("raw_content") or raw.get("content") or "")
        reaction = Reaction(str(event.get("emoji_name", "")), str(message_id), text)
        message = Message(PLATFORM, sender, "", direct=True, reaction=reaction)
        try:
            reply = await self.bot.handle(message)
        except Exception:
            log.exception("the bot failed on a Zulip reaction to %s", message_id)
            return
        if reply is not None:
            await self._send_reply(reply, {"type": "private", "to": [user_id]})

    # -- messages out ------------------------------------------------------

    def http_routes(self) -> list[Route]:
        return []

    async def send(self, destination: str, reply: Reply) -> None:
        """Announce to ``stream:<name>[>topic]``, ``zulip:<user id>`` or ``dm:<id|email>``."""
        if not self.ready.is_set():
            raise SendFailed("the Zulip adapter is not connected")
        await self._send_reply(reply, self.parse_destination(destination), strict=True)

    async def send_direct(self, user_id: str, reply: Reply) -> None:
        """A direct message to the Zulip user with this id; raises SendFailed if not sent."""
        if not self.ready.is_set():
            raise SendFailed("the Zulip adapter is not connected")
        if not user_id.isdigit():
            raise SendFailed(f"not a Zulip user id: {user_id!r}", permanent=True)
        await self._send_reply(reply, {"type": "private", "to": [int(user_id)]}, strict=True)

    def parse_destination(self, destination: str) -> Target:
        kind, _, rest = destination.partition(":")
        if kind == "stream" and rest:
            stream, _, topic = rest.partition(">")
            return {"type": "stream", "to": stream, "topic": topic or self.config.announce_topic}
        if kind in ("zulip", "dm", "user") and rest:
            return {"type": "private", "to": [int(rest) if rest.isdigit() else rest]}
        raise ValueError(f"not a Zulip destination: {destination!r}")

    async def _send_reply(self, reply: Reply, target: Target, *, strict: bool = False) -> None:
        """Post ``reply``; ``strict``: raise SendFailed when a message is not taken
        (a reply nobody asked for), else log it (an answer: nobody to tell)."""
        rendering = render(reply, self._limit, self.config.max_messages_per_reply)
        for content in rendering.messages:
            if strict:
                await self._post_checked(target, content)
            elif not await self._post(target, content):
                return
        if reply.attached is not None:
            text = "\n".join(render_lines(reply.attached))
            link = await self._upload(text, ATTACHED)
            note = f"[{ATTACHED}]({link})" if link else "(the whole answer could not be uploaded)"
            await self._post(target, note)
        if rendering.rest is not None:
            link = await self._upload(rendering.rest)
            lines = rendering.rest.count("\n") + 1
            note = (
                f"… {lines} more lines: [forgebot-reply.txt]({link})"
                if link
                else f"… {lines} more lines were too long to send."
            )
            await self._post(target, note)

    async def _post(self, target: Target, content: str) -> bool:
        try:
            await self._post_checked(target, content)
        except SendFailed as failed:
            if failed.permanent:
                log.warning("Zulip refused a message to %s: %s", target, failed.sentence)
            else:
                log.error("gave up sending a message to %s: %s", target, failed.sentence)
            return False
        return True

    async def _post_checked(self, target: Target, content: str) -> None:
        """Send one message, waiting out 429s and server errors; raise SendFailed if not sent."""
        backoff = self._backoff()
        problem, retry_after = "no attempt", None
        for _ in range(self.config.send_attempts):
            try:
                result = await self._sender.call("send_message", {**target, "content": content})
            except Exception as error:
                problem = f"sending failed: {error!r}"
                await self._pause(None, backoff, problem)
                continue
            if result.ok:
                return
            if not (result.rate_limited or result.server_error):
                raise SendFailed(f"Zulip refused it: {result.describe()}", permanent=True)
            problem = f"sending refused: {result.describe()}"
            retry_after = result.retry_after if result.rate_limited else None
            await self._pause(result, backoff, problem)
        raise SendFailed(
            f"Zulip did not take it after {self.config.send_attempts} attempts ({problem})",
            retry_after=retry_after,
        )

    async def _upload(self, text: str, name: str = "forgebot-reply.txt") -> str | None:
        data = io.BytesIO(text.encode("utf-8"))
        data.name = name
        try:
            result = await self._sender.call("upload_file", data)
        except Exception as error:
            log.warning("could not upload the rest of a reply: %r", error)
            return None
        link = result.body.get("url") or result.body.get("uri")
        return str(link) if result.ok and link else None


ATTACHED = "forgebot-answer.txt"


def _target(origin: Origin) -> Target:
    if origin.in_stream:
        to: int | str = origin.stream_id if origin.stream_id is not None else str(origin.stream)
        return {"type": "stream", "to": to, "topic": origin.topic or ""}
    return {"type": "private", "to": list(origin.recipients)}

