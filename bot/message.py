"""The platform-neutral message every adapter hands to the core."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.chat_keys import normalise_chat_key


@dataclass(frozen=True, slots=True)
class ChatIdentity:
    """Who sent a message, as far as the platform can prove it.

    ``user_id`` is the platform's stable, verified id (IRC services account,
    Zulip user id, Slack user id, the console's configured account). It is
    ``None`` when the platform proves nothing (an IRC nick not logged in).
    ``display`` is only for addressing the person (an IRC nick, a Zulip full
    name); it never grants anything.
    """

    platform: str
    user_id: str | None
    display: str
    email: str | None = None  # only when the platform verified it

    @property
    def verified(self) -> bool:
        return self.user_id is not None

    def key(self) -> str:
        """``platform:user_id``, the form stored in identity links (IRC accounts case-folded)."""
        return normalise_chat_key(f"{self.platform}:{self.user_id or ''}")


@dataclass(frozen=True, slots=True)
class Reaction:
    """An emoji a person put on one of the bot's own messages, as the platform tells it.

    ``message_text`` is the words of the message reacted to (the adapter reads
    it back from the platform); what the reaction means is the core's business.
    """

    emoji: str
    message_id: str
    message_text: str


@dataclass(frozen=True, slots=True)
class Fit:
    """What a platform carries comfortably in one answer, as its adapter reports it.

    ``lines`` / ``chars``: beyond either, an answer is long (``None``: no
    limit); ``uploads``: the platform can attach a file to a message. What
    is done with a long answer is the core's decision (:mod:`bot.long_answers`).
    """

    lines: int | None = None
    chars: int | None = None
    uploads: bool = False


@dataclass(frozen=True, slots=True)
class Message:
    """One chat message, before the core decides whether it concerns the bot.

    ``room`` is the channel / stream / Slack channel id (``None`` in a direct
    conversation). ``mentioned`` is set by an adapter whose platform marks
    mentions structurally (Zulip, Slack) after it stripped the mention markup
    from ``text``; textual mentions (``forgebot: status x``) are the router's job.
    ``reaction`` is set (and ``text`` empty) when the person reacted to a message
    of the bot's in a direct conversation instead of writing.
    """

    platform: str
    sender: ChatIdentity
    text: str
    room: str | None = None
    direct: bool = False
    thread: str | None = None
    mentioned: bool = False
    extra: dict[str, str] = field(default_factory=dict)
    reaction: Reaction | None = None
    fit: Fit = Fit()
