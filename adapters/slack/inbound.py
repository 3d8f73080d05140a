"""From Slack payloads to the words of a command and the identity of its sender."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import OrderedDict
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.markup import unfence
from bot.message import ChatIdentity

log = logging.getLogger(__name__)

PLATFORM = "slack"

_CONTROL = re.compile(r"<([^<>]*)>")


def strip_mention(text: str, bot_user_id: str | None) -> tuple[str, bool]:
    """``text`` without ``<@BOT>`` markup, and whether the bot was mentioned."""
    if not bot_user_id:
        return text.strip(), False
    pattern = re.compile(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>")
    stripped, count = pattern.subn("", text)
    if count:
        stripped = re.sub(r"^[\s:,]+", "", stripped)
    return stripped.strip(), bool(count)


def to_plain(text: str) -> str:
    """Slack's message markup as the words the user typed (links, channels, escapes)."""

    def control(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("@"):
            return "@" + (label or target[1:])
        if target.startswith("!"):
            return "@" + (label or target[1:].split("^")[0])
        if target.startswith("mailto:"):
            return label or target.removeprefix("mailto:")
        return label or target

    text = unfence(_CONTROL.sub(control, text))
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


@dataclass(frozen=True)
class Sender:
    """A chat identity, and whether Slack says it is a bot (whose messages are ignored)."""

    identity: ChatIdentity
    is_bot: bool = False


@dataclass(frozen=True)
class _Known:
    display: str
    email: str | None
    until: float
    team: str = ""
    is_bot: bool = False


class UserDirectory:
    """Slack users' display names and confirmed emails, from ``users.info``, cached.

    The email needs the ``users:read.email`` scope; without it (or when the
    call fails) the user is known by id only, which is still an identity. The
    identity names the user's workspace too (``slack:T…:U…``), and an email is
    believed only for users of the bot's own workspace (``home_team``): in a
    shared channel, another workspace's admins decide what their users' emails are.
    """

    def __init__(self, client: AsyncWebClient, *, ttl: float, lookup: bool = True,
                 size: int = 5000) -> None:
        self._client = client
        self._ttl = ttl
        self._lookup = lookup
        self._size = size
        self._cache: OrderedDict[str, _Known] = OrderedDict()
        self._pending: dict[str, asyncio.Future[_Known]] = {}
        self.lookups = 0
        self.home_team = ""  # set from auth.test

    async def identity(self, user_id: str, fallback_name: str = "", team: str = "") -> Sender:
        """Who sent a message; ``team`` is the workspace the event names, if users.info
        cannot say."""
        known = self._cache.get(user_id)
        if known is None or known.until < time.monotonic():
            known = await self._lookup_once(user_id, fallback_name)
        team = known.team or team or self.home_team
        email = known.email if team and team == self.home_team else None
        identity = ChatIdentity(PLATFORM, f"{team}:{user_id}", known.display, email)
        return Sender(identity, is_bot=known.is_bot)

    async def _lookup_once(self, user_id: str, fallback_name: str) -> _Known:
        # A burst of messages from one person makes one users.info call, not one each.
        pending = self._pending.get(user_id)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[_Known] = asyncio.get_running_loop().create_future()
        self._pending[user_id] = future
        try:
            known = await self._fetch(user_id, fallback_name)  # never raises but on cancel
        except asyncio.CancelledError:
            future.cancel()
            raise
        finally:
            del self._pending[user_id]
        future.set_result(known)
        self._cache[user_id] = known
        self._cache.move_to_end(user_id)
        while len(self._cache) > self._size:
            self._cache.popitem(last=False)
        return known

    async def _fetch(self, user_id: str, fallback_name: str) -> _Known:
        until = time.monotonic() + self._ttl
        if not self._lookup:
            return _Known(fallback_name or user_id, None, until)
        self.lookups += 1
        try:
            response = await self._client.users_info(user=user_id)
        except SlackApiError as error:
            log.info("users.info %s failed (%s); using the id alone", user_id,
                     error.response.get("error"))
            return _Known(fallback_name or user_id, None, until)
        except Exception as error:  # network trouble: do not cache the miss for long
            log.warning("users.info %s failed: %r", user_id, error)
            return _Known(fallback_name or user_id, None, time.monotonic() + 30)
        user = response.get("user") or {}
        profile = user.get("profile") or {}
        display = (profile.get("display_name") or profile.get("real_name")
                   or user.get("name") or fallback_name or user_id)
        email = profile.get("email") if user.get("is_email_confirmed") is True else None
        return _Known(str(display), str(email) if email else None, until,
                      team=str(user.get("team_id") or ""), is_bot=user.get("is_bot") is True)
