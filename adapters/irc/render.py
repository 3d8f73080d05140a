"""Reply -> IRC lines: cleaned, styled, split, and kept out of the channel when long.

Layout comes from :mod:`adapters.plain`; this module adds what IRC needs:
content is stripped of control characters *before* styling adds its own
formatting codes, each line is split under the relayed 512-byte limit, and a
long answer goes to the speaker privately (or is truncated) instead of
flooding the channel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from adapters.irc.lines import clean_text, one_line, split_line
from adapters.plain import bracket_badge, no_style, render_lines
from bot.reply import Badge, Bullets, Code, Inline, Link, Part, Reply, Strong, Table, Text, Tone

BOLD, COLOUR, RESET = "\x02", "\x03", "\x0f"
_TONE_COLOURS = {
    Tone.OK: "03",
    Tone.WARN: "07",
    Tone.ERROR: "04",
    Tone.INFO: "12",
    Tone.MUTED: "14",
}


@dataclass(frozen=True)
class Outgoing:
    """One PRIVMSG the adapter will send, already within the byte budget."""

    target: str
    text: str


@dataclass(frozen=True)
class Limits:
    max_channel_lines: int = 5
    max_private_lines: int = 60
    overflow: str = "private"  # or "truncate"
    formatting: bool = False
    address_replies: bool = True


Budget = Callable[[str], int]  # target -> bytes available for the text


def irc_badge(badge: Badge) -> str:
    return f"{BOLD}{COLOUR}{_TONE_COLOURS[badge.tone]}{badge.label}{RESET}"


def irc_strong(text: str) -> str:
    return f"{BOLD}{text}{BOLD}"


def _clean_inline(span: Inline) -> Inline:
    if isinstance(span, str):
        return clean_text(span)
    if isinstance(span, Badge):
        return Badge(one_line(span.label), span.tone)
    if isinstance(span, Link):
        return Link(one_line(span.label), one_line(span.url))
    return Strong(one_line(span.text))


def _clean_part(part: Part) -> Part:
    if isinstance(part, Text):
        return Text(tuple(_clean_inline(s) for s in part.spans))
    if isinstance(part, Code):
        return Code(clean_text(part.text), part.language)
    if isinstance(part, Table):
        rows = tuple(tuple(_one_line_inline(c) for c in row) for row in part.rows)
        return Table(tuple(one_line(h) for h in part.headers), rows)
    return Bullets(tuple(tuple(_one_line_inline(s) for s in item) for item in part.items))


def _one_line_inline(span: Inline) -> Inline:
    cleaned = _clean_inline(span)
    return one_line(cleaned) if isinstance(cleaned, str) else cleaned


def clean_reply(reply: Reply) -> Reply:
    """The same reply with every piece of text stripped of control characters."""
    return Reply(
        tuple(_clean_part(p) for p in reply.parts),
        private=reply.private,
        is_error=reply.is_error,
        summary=one_line(reply.summary),
        meta=dict(reply.meta),
    )


def reply_lines(reply: Reply, formatting: bool = False) -> list[str]:
    """The reply's logical lines, cleaned and (if configured) styled."""
    cleaned = clean_reply(reply)
    if formatting:
        return render_lines(cleaned, irc_badge, irc_strong)
    return render_lines(cleaned, bracket_badge, no_style)


def _split_all(lines: list[str], limit: int) -> list[str]:
    # A blank line still separates paragraphs, but servers refuse an empty PRIVMSG.
    return [piece or " " for line in lines for piece in split_line(line, limit)]


def _capped(lines: list[str], cap: int) -> list[str]:
    if len(lines) <= cap:
        return lines
    kept = lines[: cap - 1]
    return [*kept, f"… {len(lines) - len(kept)} more lines: ask with --lines"]


def _trimmed(lines: list[str]) -> list[str]:
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    return lines


def plan_announcement(reply: Reply, target: str, budget: Budget, limits: Limits) -> list[Outgoing]:
    """Lines of an unsolicited message (an announcement) to a channel or a nick."""
    target = one_line(target)
    lines = _split_all(_trimmed(reply_lines(reply, limits.formatting)), budget(target))
    channel = target.startswith(("#", "&"))
    cap = limits.max_channel_lines if channel else limits.max_private_lines
    return [Outgoing(target, line) for line in _capped(lines, cap)]


def plan_reply(
    reply: Reply,
    speaker: str,
    channel: str | None,
    budget: Budget,
    limits: Limits,
) -> list[Outgoing]:
    """Where each line of ``reply`` goes when ``speaker`` asked in ``channel`` (None: PM);
    its ``aside`` goes to the speaker privately, after it."""
    planned = _plan_reply(reply, speaker, channel, budget, limits)
    if reply.aside is not None:
        planned += _plan_reply(reply.aside, speaker, None, budget, limits)
    return planned


def _plan_reply(
    reply: Reply, speaker: str, channel: str | None, budget: Budget, limits: Limits
) -> list[Outgoing]:
    lines = _trimmed(reply_lines(reply, limits.formatting))
    if not lines:
        return []
    speaker = one_line(speaker)

    def private(note: str | None) -> list[Outgoing]:
        split = _capped(_split_all(lines, budget(speaker)), limits.max_private_lines)
        out = [Outgoing(speaker, line) for line in split]
        if note is not None and channel is not None:
            out.insert(0, Outgoing(channel, f"{speaker}: {note}"))
        return out

    if channel is None:
        return private(None)
    if reply.private:
        return private("I sent you the answer in a private message.")
    addressed = list(lines)
    if limits.address_replies:
        addressed[0] = f"{speaker}: {addressed[0]}"
    split = _split_all(addressed, budget(channel))
    if len(split) <= limits.max_channel_lines:
        return [Outgoing(channel, line) for line in split]
    if limits.overflow == "private":
        return private(
            f"the answer is {len(split)} lines long, so I sent it to you in a private message."
        )
    return [Outgoing(channel, line) for line in _capped(split, limits.max_channel_lines)]
