"""A fake Slack on 127.0.0.1:0: Web API, response_url sink and Socket Mode websocket.

The real ``slack_sdk`` / ``slack_bolt`` clients talk to it unchanged (see
shared/reference/protocol-testing.md section 3). Every Web API call, every
``response_url`` post and every Socket Mode ack is recorded; tests push
envelopes, drop the socket and script failures (429 with Retry-After).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

from tests.fakes.ratelimit import RateLimit
from tests.support import PATIENCE


@dataclass(frozen=True)
class SlackUser:
    id: str
    name: str
    email: str
    email_confirmed: bool = True
    team: str | None = None  # another workspace's user in a shared channel; None: ours
    is_bot: bool = False


@dataclass(frozen=True)
class Call:
    method: str
    args: dict[str, Any]
    token: str
    at: float  # time.monotonic()
    status: int = 200


class FakeSlack:
    def __init__(self, *, bot_token: str = "xoxb-test-token",
                 app_token: str = "xapp-test-token") -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self.team_id, self.bot_user_id, self.bot_id = "T0001", "U0BOT", "B0BOT"
        self.users = {u.id: u for u in [
            SlackUser("U0ALICE", "alice", "alice@example.org"),
            SlackUser("U0BOB", "bob", "bob@example.org"),
            SlackUser("U0CAROL", "carol", "carol@example.org", email_confirmed=False),
            SlackUser("U0EVE", "eve", "eve@example.org"),
            # from another workspace, in a shared channel, with alice's (verified) email
            SlackUser("U0GUEST", "alice", "alice@example.org", team="T0OTHER"),
            SlackUser("U0HELPER", "helper", "helper@example.org", is_bot=True),
        ]}
        self.calls: list[Call] = []
        self.history: dict[str, list[dict[str, Any]]] = {}  # the bot's messages, per channel
        self.uploads: dict[str, bytes] = {}  # file id -> what was uploaded to its URL
        self.shared: list[tuple[str, str, str]] = []  # (file id, channel, title) completed
        self.responses: list[tuple[str, dict[str, Any], float]] = []  # (id, body, at)
        self.acks: list[dict[str, Any]] = []
        self.sockets_opened = 0
        self.response_url_status = 200
        self._failures: dict[str, list[tuple[int, dict[str, str]]]] = {}
        self.limit: RateLimit | None = None  # chat.postMessage past it answers 429 (per channel)
        self._socket: web.WebSocketResponse | None = None
        self._socket_request: web.Request | None = None
        self._ts = 0
        self._runner: web.AppRunner | None = None
        self.url = ""

    # -- lifecycle ---------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{id}", self._response_url)
        app.router.add_get("/link/", self._link)
        app.router.add_post("/upload/{file}", self._upload)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    # -- what tests do -----------------------------------------------------

    def posted(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.status == 200]

    def fail(self, method: str, status: int, *, retry_after: int | None = None,
             times: int = 1) -> None:
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        self._failures.setdefault(method, []).extend([(status, headers)] * times)

    def slash(self, user: str, text: str, *, channel: str = "C0OPS",
              response_id: str = "r1") -> dict[str, str]:
        return {"token": "legacy", "team_id": self.team_id, "team_domain": "fake",
                "channel_id": channel, "channel_name": "ops", "user_id": user,
                "user_name": self.users[user].name, "command": "/toolforge", "text": text,
                "api_app_id": "A0APP", "is_enterprise_install": "false",
                "response_url": f"{self.url}/response/{response_id}", "trigger_id": "t.1"}

    def event(self, kind: str, user: str, text: str, *, channel: str = "C0OPS",
              channel_type: str = "channel", ts: str | None = None,
              thread_ts: str | None = None) -> dict[str, Any]:
        self._ts += 1
        ts = ts or f"1700000000.{self._ts:06d}"
        event = {"type": kind, "user": user, "text": text, "ts": ts, "channel": channel,
                 "event_ts": ts, "channel_type": channel_type}
        if thread_ts:
            event["thread_ts"] = thread_ts
        return {"token": "legacy", "team_id": self.team_id, "api_app_id": "A0APP",
                "type": "event_callback", "event_id": f"Ev{self._ts:04d}",
                "event_time": int(time.time()), "event": event,
                "authorizations": [{"team_id": self.team_id, "user_id": self.bot_user_id,
                                    "is_bot": True, "is_enterprise_install": False}]}

    def reaction(self, user: str, channel: str, ts: str, emoji: str = "+1",
                 item_user: str | None = None) -> dict[str, Any]:
        """A ``reaction_added`` event payload: ``user`` reacts to the message ``ts``."""
        self._ts += 1
        event = {"type": "reaction_added", "user": user, "reaction": emoji,
                 "item_user": item_user or self.bot_user_id,
                 "item": {"type": "message", "channel": channel, "ts": ts},
                 "event_ts": f"1700000000.{self._ts:06d}"}
        return {"token": "legacy", "team_id": self.team_id, "api_app_id": "A0APP",
                "type": "event_callback", "event_id": f"Ev{self._ts:04d}",
                "event_time": int(time.time()), "event": event,
                "authorizations": [{"team_id": self.team_id, "user_id": self.bot_user_id,
                                    "is_bot": True, "is_enterprise_install": False}]}

    async def push(self, kind: str, payload: dict[str, Any]) -> str:
        """Send one Socket Mode envelope (``slash_commands``, ``events_api``)."""
        assert self._socket is not None, "no Socket Mode connection"
        envelope_id = f"env-{len(self.acks)}-{time.monotonic_ns()}"
        await self._socket.send_json({"envelope_id": envelope_id, "type": kind,
                                      "accepts_response_payload": kind != "events_api",
                                      "payload": payload})
        return envelope_id

    def drop_socket(self) -> None:
        """Cut the TCP connection under the websocket, with no close frame."""
        assert self._socket_request is not None and self._socket_request.transport is not None
        self._socket_request.transport.abort()

    async def ask_to_reconnect(self) -> None:
        assert self._socket is not None
        await self._socket.send_json({"type": "disconnect", "reason": "refresh_requested",
                                      "debug_info": {"host": "fake"}})

    async def wait_for(self, predicate: Callable[[], bool], within: float = PATIENCE) -> None:
        deadline = time.monotonic() + within
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; calls {self.calls!r}, "
                                     f"responses {self.responses!r}")
            await asyncio.sleep(0.01)

    # -- the server --------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        raw = await request.text()
        if request.content_type == "application/json":
            args: dict[str, Any] = json.loads(raw or "{}")
        else:
            args = dict(parse_qsl(raw))
        args.update(request.query)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        scripted = self._failures.get(method)
        if scripted:
            status, headers = scripted.pop(0)
            self.calls.append(Call(method, args, token, time.monotonic(), status))
            return web.json_response({"ok": False, "error": "ratelimited"}, status=status,
                                     headers=headers)
        wait = self.limit.wait(str(args.get("channel"))) if (
            self.limit is not None and method == "chat.postMessage") else 0.0  # fmt: skip
        if wait:
            self.calls.append(Call(method, args, token, time.monotonic(), 429))
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                     headers={"Retry-After": str(max(1, round(wait)))})
        self.calls.append(Call(method, args, token, time.monotonic()))
        expected = self.app_token if method == "apps.connections.open" else self.bot_token
        if token != expected:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        return web.json_response(self._answer(method, args))

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "url": "https://fake.slack.test/", "team": "Fake", "user": "bot",
                    "team_id": self.team_id, "user_id": self.bot_user_id, "bot_id": self.bot_id,
                    "is_enterprise_install": False}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.url.replace("http", "ws", 1) + "/link/?ticket=t1"}
        if method == "users.info":
            user = self.users.get(str(args.get("user")))
            if user is None:
                return {"ok": False, "error": "user_not_found"}
            return {"ok": True, "user": {
                "id": user.id, "team_id": user.team or self.team_id, "name": user.name,
                "real_name": user.name, "is_bot": user.is_bot, "deleted": False,
                "is_email_confirmed": user.email_confirmed,
                "profile": {"email": user.email, "display_name": user.name,
                            "real_name": user.name.title()}}}
        self._ts += 1
        ts = f"1795561300.{self._ts:06d}"
        if method == "chat.postMessage":
            channel = str(args.get("channel"))
            if channel.startswith("U"):  # a user id: Slack opens (or reuses) the app's DM
                channel = "D" + channel[1:]
            message = {"type": "message", "text": args.get("text"), "user": self.bot_user_id,
                       "bot_id": self.bot_id, "ts": ts}  # fmt: skip
            self.history.setdefault(channel, []).append(message)
            return {"ok": True, "channel": channel, "ts": ts, "message": message}
        if method == "conversations.history":
            kept = self.history.get(str(args.get("channel")), [])
            latest = str(args.get("latest", ""))
            inclusive = args.get("inclusive") in (True, "true", "1", 1)
            found = [m for m in reversed(kept)
                     if not latest or m["ts"] < latest or (inclusive and m["ts"] == latest)]
            return {"ok": True, "messages": found[: int(args.get("limit", 100))],
                    "has_more": False}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(args.get("users", "")).lstrip("U")}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{self._ts:04d}"
            return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = json.loads(str(args.get("files", "[]")))
            missing = [f["id"] for f in files if f["id"] not in self.uploads]
            if missing:
                return {"ok": False, "error": "file_not_found"}
            channel = str(args.get("channel_id", ""))
            self.shared += [(f["id"], channel, f.get("title", "")) for f in files]
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title", "")}
                                          for f in files]}
        return {"ok": True}

    async def _upload(self, request: web.Request) -> web.Response:
        """The URL files.getUploadURLExternal gave: the file's bytes, posted as they are."""
        self.uploads[request.match_info["file"]] = await request.read()
        return web.Response(text="OK - uploaded")

    def uploaded(self, channel: str) -> list[str]:
        """The text of every file shared in ``channel``."""
        return [self.uploads[f].decode() for f, where, _ in self.shared if where == channel]

    async def _response_url(self, request: web.Request) -> web.Response:
        self.responses.append((request.match_info["id"], await request.json(), time.monotonic()))
        if self.response_url_status != 200:
            return web.Response(status=self.response_url_status, text="expired_url")
        return web.Response(text="ok")

    async def _link(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        self.sockets_opened += 1
        self._socket, self._socket_request = socket, request
        await socket.send_json({"type": "hello", "num_connections": 1,
                                "debug_info": {"host": "fake", "approximate_connection_time": 3600},
                                "connection_info": {"app_id": "A0APP"}})
        async for frame in socket:
            if frame.type == WSMsgType.TEXT:
                self.acks.append(json.loads(frame.data))
        return socket
