"""ack <number>: acknowledge an announcement sent to you (no more reminders about it)."""

from __future__ import annotations

from bot.commands import Arg, Invocation, Permission, command
from bot.context import Context
from bot.reply import Reply, Strong, Text


async def _ack(ctx: Context, inv: Invocation) -> Reply:
    number: int = inv["id"]
    store = ctx.services.store
    assert ctx.account is not None  # IDENTIFIED
    announcement = await store.announcement_get(number)
    if announcement is None:
        return _refused(f"there is no announcement #{number}; its number is in the message "
                        "that announced it (news lists the current ones)", "unknown")  # fmt: skip
    if announcement.cancelled_at is not None:
        return _refused(f"announcement #{number} was cancelled: there is nothing to "
                        "acknowledge", "cancelled")  # fmt: skip
    outcome = await store.announcement_ack(number, ctx.account, now=ctx.services.clock())
    if outcome == "not_recipient":
        return _refused(f"announcement #{number} was not sent to you ({ctx.account}), so it "
                        "is not yours to acknowledge", "not recipient")  # fmt: skip
    if outcome == "unknown":  # removed between the two reads
        return _refused(f"there is no announcement #{number}", "unknown")
    if outcome == "already":
        words = f"You had already acknowledged announcement #{number}; nothing changed."
        meta = {"audit": words, "audit_result": "already", "ack": "already"}
        return Reply((Text.of(words),), summary=words, meta=meta)
    words = f"Thank you: announcement #{number} is acknowledged, no more reminders about it."
    reaction = ctx.message.reaction
    how = f" by reacting {reaction.emoji}" if reaction is not None else ""
    text = Text.of("Thank you: announcement ", Strong(f"#{number} {announcement.title}"),
                   " is acknowledged; no more reminders about it.")  # fmt: skip
    meta = {"audit": f"acknowledged #{number}{how}", "ack": "acked"}
    return Reply((text,), summary=words, meta=meta)


def _refused(sentence: str, result: str) -> Reply:
    reply = Reply.error(sentence[0].upper() + sentence[1:] + ".")
    reply.meta.update(audit=sentence, audit_result=result, ack=result)
    return reply


COMMAND = command(
    "ack",
    summary="acknowledge an announcement sent to you (stops its reminders)",
    args=(Arg("id", "the announcement's number, as in its message", kind=int),),
    permission=Permission.IDENTIFIED,
    target_arg="id",
    audit_action="ack",
    details="Where the chat has reactions (Zulip, Slack), reacting to the announcement "
    "does the same.",
)(_ack)
