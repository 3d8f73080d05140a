"""From a Zulip message object to a neutral Message, and where to answer it."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from typing import Any

from adapters.markup import unfence
from bot.message import ChatIdentity, Message

PLATFORM = "zulip"

# @**Name**, @**Name|12**, and the silent @_**Name|12**: the server resolves them to users.
_MENTION = re.compile(r"@_?\*\*(?P<name>[^*|]+?)(?:\|(?P<id>\d+))?\*\*")


@dataclass(frozen=True)
class Me:
    """The bot's own Zulip account, from ``GET /users/me``."""

    user_id: int
    email: str
    full_name: str


@dataclass(frozen=True)
class Origin:
    """Where a message came from, so that the answer goes back to the same place."""

    message_id: int
    sender_id: int
    sender_name: str
    stream_id: int | None = None
    stream: str | None = None
    topic: str | None = None
    recipients: tuple[int, ...] = ()  # DM participants other than the bot

    @property
    def in_stream(self) -> bool:
        return self.stream is not None or self.stream_id is not None

    @property
    def one_to_one(self) -> bool:
        return not self.in_stream and self.recipients == (self.sender_id,)


def to_message(raw: dict[str, Any], me: Me) -> tuple[Message, Origin] | None:
    """The neutral message and its origin, or ``None`` for the bot's own messages."""
    sender_id = int(raw["sender_id"])
    if sender_id == me.user_id:
        return None
    name = str(raw.get("sender_full_name") or raw.get("sender_email") or sender_id)
    text, mentioned = strip_mentions(str(raw.get("content", "")), me)
    text = unfence(text)
    sender = ChatIdentity(
        platform=PLATFORM,
        user_id=str(sender_id),
        display=name,
        email=str(raw["sender_email"]) if raw.get("sender_email") else None,
    )
    message_id = int(raw["id"])
    extra = {"message_id": str(message_id)}
    if raw.get("type") == "stream":
        stream = raw.get("display_recipient")
        stream_id = raw.get("stream_id")
        topic = str(raw.get("subject", raw.get("topic", "")))
        origin = Origin(
            message_id=message_id,
            sender_id=sender_id,
            sender_name=name,
            stream_id=int(stream_id) if stream_id is not None else None,
            stream=str(stream) if isinstance(stream, str) else None,
            topic=topic,
        )
        if stream_id is not None:
            extra["stream_id"] = str(stream_id)
        message = Message(
            platform=PLATFORM,
            sender=sender,
            text=text,
            room=origin.stream or str(stream_id),
            thread=topic,
            mentioned=mentioned,
            extra=extra,
        )
        return message, origin
    people = raw.get("display_recipient") or []
    others = tuple(
        sorted(int(p["id"]) for p in people if isinstance(p, dict) and int(p["id"]) != me.user_id)
    )
    origin = Origin(message_id, sender_id, name, recipients=others or (sender_id,))
    if origin.one_to_one:
        message = Message(PLATFORM, sender, text, direct=True, mentioned=mentioned, extra=extra)
    else:
        # A group DM is a small room: the bot answers there only when addressed.
        room = "dm:" + ",".join(str(i) for i in origin.recipients)
        message = Message(PLATFORM, sender, text, room=room, mentioned=mentioned, extra=extra)
    return message, origin


def strip_mentions(content: str, me: Me) -> tuple[str, bool]:
    """``content`` without mentions of the bot, and whether there was one."""
    found = False

    def drop(match: re.Match[str]) -> str:
        nonlocal found
        user_id = match.group("id")
        if (user_id is not None and int(user_id) == me.user_id) or (
            user_id is None and match.group("name").strip() == me.full_name
        ):
            found = True
            return ""
        return match.group(0)

    text = _MENTION.sub(drop, content)
    if found:
        text = re.sub(r"^[\s:,]+", "", text)
        text = re.sub(r"[ \t]{2,}", " ", text)
    return text.strip(), found


class SeenMessages:
    """Ids of the messages already taken in, so none is handled twice.

    Bounded: ids older than the last ``size`` can no longer come back (a new
    queue starts at the present and the catch-up starts at the watermark).
    """

    def __init__(self, size: int = 5000) -> None:
        self._order: deque[int] = deque()
        self._ids: set[int] = set()
        self._size = size
        self.watermark = -1  # the highest message id seen

    def add(self, message_id: int) -> bool:
        """Record ``message_id``; ``False`` if it was already seen."""
        if message_id in self._ids:
            return False
        self._ids.add(message_id)
        self._order.append(message_id)
        if len(self._order) > self._size:
            self._ids.discard(self._order.popleft())
        self.watermark = max(self.watermark, message_id)
        return True
