"""What a recipient of an announcement receives: a Reply for chat, text for email.

A person gets one message per platform listing every tool of theirs that
made them a recipient, and how to acknowledge it; a channel gets the
announcement alone.
"""

from __future__ import annotations

from datetime import datetime

from bot.announce.markdown import parts
from bot.reply import Badge, Link, Part, Reply, Strong, Text, Tone, plain_text
from bot.store import Announcement

SEVERITY_TONES = {
    "info": Tone.INFO,
    "maintenance": Tone.WARN,
    "incident": Tone.ERROR,
    "deprecation": Tone.WARN,
}


def when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def window_text(announcement: Announcement) -> str | None:
    """The maintenance window in words, or ``None`` when there is none."""
    start, end = announcement.window_start, announcement.window_end
    if start is None:
        return None
    if end is None:
        return f"from {when(start)}"
    if end.date() == start.date():
        return f"{start:%Y-%m-%d %H:%M} to {end:%H:%M} UTC"
    return f"{when(start)} to {when(end)}"


def announcement_reply(
    announcement: Announcement, *, tools: list[str] | None = None, ack_hint: str = "ack"
) -> Reply:
    """The announcement as sent; with ``tools`` (a person's), why they get it and how to ack."""
    number = f"#{announcement.id}" if announcement.id is not None else "#(new)"
    found: list[Part] = [
        Text.of(
            Badge(announcement.severity, SEVERITY_TONES.get(announcement.severity, Tone.INFO)),
            " ",
            Strong(announcement.title),
            f" (announcement {number})",
        )
    ]
    window = window_text(announcement)
    if window is not None:
        found.append(Text.of("Window: ", Strong(window)))
    found.extend(parts(announcement.body))
    if announcement.link:
        found.append(Text.of("More: ", Link(announcement.link, announcement.link)))
    if tools:
        found.append(
            Text.of(
                f"You get this as a maintainer of {', '.join(tools)}. Tell the Toolforge "
                "admins you have seen it: ",
                Strong(f"{ack_hint} {announcement.id if announcement.id is not None else 'N'}"),
            )
        )
    return Reply(tuple(found), summary=f"[{announcement.severity}] {announcement.title}")


def email_message(announcement: Announcement, tools: list[str]) -> tuple[str, str]:
    """Subject and plain-text body of the mail to a maintainer with no chat link."""
    subject = f"[Toolforge {announcement.severity}] {announcement.title}"
    reply = announcement_reply(announcement, tools=tools)
    body = plain_text(reply) + (
        "\n\nYou can acknowledge it in chat with forgebot (ack "
        f"{announcement.id}) once your chat account is linked.\n"
    )
    return subject, body
