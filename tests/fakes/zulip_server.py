"""A fake Zulip server on 127.0.0.1:0 for the real ``zulip.Client``.

It keeps users, streams, a message history and event queues, answers the
endpoints the adapter uses with the JSON shapes of a real server (see
shared/reference/protocol-testing.md section 2), records every request, and
lets a test inject messages, expire queues and script failures (429, 5xx).
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.ratelimit import RateLimit
from tests.support import PATIENCE

API = "/api/v1"


@dataclass(frozen=True)
class User:
    id: int
    email: str
    full_name: str
    is_bot: bool = False


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    params: dict[str, str]
    at: float  # time.monotonic()
    status: int


@dataclass(frozen=True)
class Sent:
    """A message the bot posted, decoded: DM recipients as user ids, streams by name."""

    type: str
    to: tuple[int, ...] | str
    topic: str
    content: str


@dataclass
class _Queue:
    id: str
    events: list[dict[str, Any]] = field(default_factory=list)
    next_id: int = 0
    dead: bool = False
    wake: asyncio.Event = field(default_factory=asyncio.Event)


class FakeZulip:
    def __init__(self, *, api_key: str = "zulip-test-key", heartbeat: float = 0.5,
                 max_message_length: int = 10_000) -> None:
        self.api_key = api_key
        self.heartbeat = heartbeat
        self.max_message_length = max_message_length
        self.bot = User(10, "forgebot-bot@example.org", "forgebot")
        people = [User(11, "alice@example.org", "Alice"), User(12, "bob@example.org", "Bob"),
                  User(13, "carol@example.org", "Carol"), User(15, "eve@example.org", "Eve"),
                  # an integration's bot, posting as itself
                  User(16, "ci-bot@example.org", "CI", is_bot=True)]
        self.users = {u.id: u for u in [self.bot, *people]}
        self.streams = {1: "general", 2: "toolforge"}
        self.history: list[dict[str, Any]] = []
        self.queues: dict[str, _Queue] = {}
        self.log: list[Recorded] = []
        self.sent: list[Sent] = []
        self.uploads: dict[str, bytes] = {}
        self.on_register: list[Callable[[], Awaitable[None]]] = []
        self._failures: dict[str, list[tuple[int, dict[str, Any], dict[str, str]]]] = {}
        self.limit: RateLimit | None = None  # sending messages past it answers 429
        self._next_message_id = 1000
        self._runner: web.AppRunner | None = None
        self.url = ""

    # -- lifecycle ---------------------------------------------------------

    async def start(self) -> str:
        app = web.Application(middlewares=[self._middleware])
        app.router.add_get(f"{API}/server_settings", self._server_settings)
        app.router.add_get(f"{API}/users/me", self._me)
        app.router.add_get(f"{API}/users/{{user_id:\\d+}}", self._user)
        app.router.add_post(f"{API}/register", self._register)
        app.router.add_get(f"{API}/events", self._events)
        app.router.add_delete(f"{API}/events", self._deregister)
        app.router.add_get(f"{API}/messages", self._messages)
        app.router.add_get(f"{API}/messages/{{message_id:\\d+}}", self._message)
        app.router.add_post(f"{API}/messages", self._send)
        app.router.add_post(f"{API}/user_uploads", self._upload)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        self.expire_queues()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- what tests do -----------------------------------------------------

    def inject_dm(self, sender: int, content: str, *, others: tuple[int, ...] = ()) -> int:
        people = [self.users[i] for i in sorted({self.bot.id, sender, *others})]
        recipient = [{"id": u.id, "email": u.email, "full_name": u.full_name,
                      "is_mirror_dummy": False} for u in people]
        return self._deliver(sender, {"type": "private", "display_recipient": recipient,
                                      "subject": ""}, content)

    def inject_stream(self, sender: int, stream: str, topic: str, content: str) -> int:
        stream_id = next(i for i, name in self.streams.items() if name == stream)
        return self._deliver(sender, {"type": "stream", "display_recipient": stream,
                                      "stream_id": stream_id, "subject": topic}, content)

    def inject_reaction(self, user: int, message_id: int, emoji: str = "thumbs_up",
                        op: str = "add") -> None:
        """``user`` reacts to a message, as the server reports it to every event queue."""
        for queue in self.queues.values():
            queue.events.append({"type": "reaction", "op": op, "id": queue.next_id,
                                 "user_id": user, "message_id": message_id,
                                 "emoji_name": emoji, "emoji_code": "1f44d",
                                 "reaction_type": "unicode_emoji"})  # fmt: skip
            queue.next_id += 1
            queue.wake.set()

    def sent_ids(self, to: int) -> list[int]:
        """Ids of the bot's direct messages to ``to`` alone, oldest first."""
        return [m["id"] for m in self.history if m["sender_id"] == self.bot.id
                and m["type"] == "private"
                and {p["id"] for p in m["display_recipient"]} == {self.bot.id, to}]

    def mention_bot(self) -> str:
        return f"@**{self.bot.full_name}**"

    def expire_queues(self) -> None:
        """Forget every event queue, as a server does after its idle timeout."""
        for queue in self.queues.values():
            queue.dead = True
            queue.wake.set()
        self.queues.clear()

    def fail(self, endpoint: str, status: int, *, times: int = 1, retry_after: float | None = None,
             code: str = "") -> None:
        """Answer the next ``times`` requests to ``endpoint`` (e.g. "messages") with ``status``."""
        body: dict[str, Any] = {"result": "error", "msg": f"scripted {status}", "code": code}
        headers: dict[str, str] = {}
        if status == 429:
            body.update(code="RATE_LIMIT_HIT", msg="API usage exceeded rate limit")
        if retry_after is not None:
            body["retry-after"] = retry_after
            headers["Retry-After"] = str(retry_after)
        self._failures.setdefault(f"{API}/{endpoint}", []).extend([(status, body, headers)] * times)

    def requests_to(self, endpoint: str, method: str | None = None) -> list[Recorded]:
        return [r for r in self.log if r.path == f"{API}/{endpoint}"
                and (method is None or r.method == method)]

    async def wait_for(self, predicate: Callable[[], bool], within: float = PATIENCE) -> None:
        deadline = time.monotonic() + within
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; the bot sent {self.sent!r}")
            await asyncio.sleep(0.01)

    # -- the server --------------------------------------------------------

    def _deliver(self, sender: int, shape: dict[str, Any], content: str) -> int:
        user = self.users[sender]
        message_id = self._next_message_id
        self._next_message_id += 1
        message = {"id": message_id, "sender_id": user.id, "sender_email": user.email,
                   "sender_full_name": user.full_name, "sender_realm_str": "test",
                   "content": content, "content_type": "text/x-markdown", "topic_links": [],
                   "recipient_id": 900, "timestamp": int(time.time()), "client": "test",
                   "avatar_url": None, "is_me_message": False, "reactions": [],
                   "submessages": [], **shape}
        flags = ["read"] if sender == self.bot.id else []
        if f"|{self.bot.id}**" in content or self.mention_bot() in content:
            flags.append("mentioned")
        self.history.append({**message, "flags": flags})
        for queue in self.queues.values():
            queue.events.append({"type": "message", "id": queue.next_id, "message": message,
                                 "flags": flags})
            queue.next_id += 1
            queue.wake.set()
        return message_id

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        params = dict(request.query)
        if request.method != "GET" and request.content_type == "application/x-www-form-urlencoded":
            params.update({k: str(v) for k, v in (await request.post()).items()})
        scripted = self._failures.get(request.path)
        response: web.StreamResponse
        if scripted:
            status, body, headers = scripted.pop(0)
            response = web.json_response(body, status=status, headers=headers)
        elif not request.path.endswith("/server_settings") and not self._authorized(request):
            response = web.json_response({"result": "error", "msg": "Invalid API key",
                                          "code": "INVALID_API_KEY"}, status=401)
        else:
            response = await handler(request)
        self.log.append(Recorded(request.method, request.path, params, time.monotonic(),
                                 response.status))
        return response

    def _authorized(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        expected = f"{self.bot.email}:{self.api_key}".encode()
        return header == "Basic " + base64.b64encode(expected).decode()

    async def _server_settings(self, request: web.Request) -> web.Response:
        return _ok(zulip_version="9.0", zulip_feature_level=237, zulip_merge_base="9.0",
                   push_notifications_enabled=False, realm_uri=self.url, realm_url=self.url,
                   realm_name="Test", authentication_methods={"password": True})

    async def _user(self, request: web.Request) -> web.Response:
        user = self.users.get(int(request.match_info["user_id"]))
        if user is None:
            return web.json_response({"result": "error", "msg": "No such user",
                                      "code": "BAD_REQUEST"}, status=400)  # fmt: skip
        return _ok(user={"user_id": user.id, "email": user.email, "full_name": user.full_name,
                         "is_bot": user.is_bot, "is_active": True, "role": 400})  # fmt: skip

    async def _me(self, request: web.Request) -> web.Response:
        bot = self.bot
        return _ok(user_id=bot.id, email=bot.email, delivery_email=bot.email,
                   full_name=bot.full_name, is_bot=True, role=400, is_active=True)

    async def _register(self, request: web.Request) -> web.Response:
        queue = _Queue(str(uuid.uuid4()))
        self.queues[queue.id] = queue
        for hook in self.on_register:
            await hook()
        newest = self.history[-1]["id"] if self.history else -1
        return _ok(queue_id=queue.id, last_event_id=-1, zulip_version="9.0",
                   zulip_feature_level=237, max_message_id=newest,
                   max_message_length=self.max_message_length,
                   event_queue_longpoll_timeout_seconds=90)

    async def _events(self, request: web.Request) -> web.Response:
        queue_id = request.query.get("queue_id", "")
        queue = self.queues.get(queue_id)
        if queue is not None:
            last = int(request.query.get("last_event_id", "-1"))
            queue.events = [e for e in queue.events if e["id"] > last]
            if not queue.events and request.query.get("dont_block") != "true":
                queue.wake.clear()
                try:
                    await asyncio.wait_for(queue.wake.wait(), self.heartbeat)
                except TimeoutError:
                    pass
        if queue is None or queue.dead:
            return web.json_response({"result": "error", "msg": f"Bad event queue ID: {queue_id}",
                                      "code": "BAD_EVENT_QUEUE_ID", "queue_id": queue_id},
                                     status=400)
        events = list(queue.events)
        if not events:
            events = [{"type": "heartbeat", "id": queue.next_id}]
            queue.next_id += 1
        return _ok(queue_id=queue.id, events=events)

    async def _deregister(self, request: web.Request) -> web.Response:
        queue = self.queues.pop((await request.post()).get("queue_id", ""), None)  # type: ignore[arg-type]
        if queue is not None:
            queue.dead = True
            queue.wake.set()
        return _ok()

    async def _messages(self, request: web.Request) -> web.Response:
        anchor = int(request.query["anchor"])
        include = request.query.get("include_anchor", "true") == "true"
        after = int(request.query.get("num_after", "100"))
        found = [m for m in self.history if m["id"] > anchor or (include and m["id"] == anchor)]
        return _ok(messages=found[:after], found_newest=len(found) <= after, anchor=anchor)

    async def _message(self, request: web.Request) -> web.Response:
        wanted = int(request.match_info["message_id"])
        found = next((m for m in self.history if m["id"] == wanted), None)
        if found is None:
            return web.json_response({"result": "error", "msg": "Invalid message(s)",
                                      "code": "BAD_REQUEST"}, status=400)  # fmt: skip
        message = {k: v for k, v in found.items() if k != "flags"}
        return _ok(message=message, raw_content=found["content"])

    async def _send(self, request: web.Request) -> web.Response:
        wait = self.limit.wait() if self.limit is not None else 0.0
        if wait:
            return web.json_response(
                {"result": "error", "code": "RATE_LIMIT_HIT", "retry-after": wait,
                 "msg": "API usage exceeded rate limit"},
                status=429, headers={"Retry-After": f"{wait:.3f}"},
            )  # fmt: skip
        form = await request.post()
        kind, to, content = str(form["type"]), str(form["to"]), str(form["content"])
        topic = str(form.get("topic", form.get("subject", "")))
        try:
            decoded = json.loads(to)
        except json.JSONDecodeError:
            decoded = to
        if kind in ("private", "direct"):
            ids = tuple(sorted(self._user_id(r) for r in decoded))
            self.sent.append(Sent("private", ids, "", content))
            self.inject_dm(self.bot.id, content, others=ids)
        else:
            stream = self.streams[decoded] if isinstance(decoded, int) else str(decoded)
            self.sent.append(Sent("stream", stream, topic, content))
            self.inject_stream(self.bot.id, stream, topic, content)
        return _ok(id=self._next_message_id - 1)

    async def _upload(self, request: web.Request) -> web.Response:
        form = await request.post()
        upload = next(iter(form.values()))
        data = upload.file.read() if isinstance(upload, web.FileField) else str(upload).encode()
        path = f"/user_uploads/2/{len(self.uploads):02x}/forgebot-reply.txt"
        self.uploads[path] = data
        return _ok(uri=path, url=path)

    def _user_id(self, recipient: int | str) -> int:
        if isinstance(recipient, int):
            return recipient
        return next(u.id for u in self.users.values() if u.email == recipient)


def _ok(**fields: Any) -> web.Response:
    return web.json_response({"result": "success", "msg": "", **fields})
