"""announce: an admin writes an announcement, previews its audience, confirms, and it goes out.

    announce [--to CHANNELS] [--tools T1,T2 | --all-tools] [selectors] [--window START/END]
             [--link URL] <severity> <title | body...>

Options come before the severity; the title is the first line (or what comes
before `` | ``) and the body (a Markdown subset) the rest. The preview counts
tools, maintainers, who is reachable on each platform and who is not, and
shows the message one maintainer would get; ``confirm <code>`` queues it in
the outbox, which the running bot drains. ``announce status``, ``cancel`` and
``list`` are in :mod:`commands.announce_status`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from bot.announce.audience import PLATFORM_NAMES, Audience, AudienceRequest, Selector, resolve
from bot.announce.compose import Draft, draft
from bot.announce.message import announcement_reply
from bot.commands import Arg, Confirmation, Flag, Invocation, Permission, command
from bot.context import Context
from bot.reply import Part, Reply, Strong, Text
from bot.store.models import SEVERITIES
from commands.announce_status import CANCEL, LIST, STATUS


@dataclass(frozen=True)
class Prepared:
    """An announcement checked and its audience resolved: what confirm will send."""

    draft: Draft
    audience: Audience


def _words(value: str | None) -> tuple[str, ...]:
    return tuple(w.strip() for w in (value or "").split(",") if w.strip())


def _request(inv: Invocation) -> AudienceRequest:
    selector = Selector(
        image=inv["image"],
        deprecated=bool(inv["deprecated-images"]),
        no_build_service=bool(inv["no-build-service"]),
        job_state=inv["job-state"],
    )
    return AudienceRequest(
        channels=_words(inv["to"]),
        tools=_words(inv["tools"]),
        all_tools=bool(inv["all-tools"]),
        selector=selector,
    )


async def _check(ctx: Context, inv: Invocation) -> Prepared:
    settings = ctx.services.config.announce
    checked = draft(settings, inv["severity"], inv["message"] or "", link=inv["link"],
                    window=inv["window"])  # fmt: skip
    return Prepared(checked, await resolve(ctx.services, _request(inv)))


def _count(n: int, what: str, plural: str = "") -> str:
    return f"{n} {what}" if n == 1 else f"{n} {plural or what + 's'}"


def _reach(audience: Audience) -> str:
    platforms = audience.per_platform()
    said = [f"{PLATFORM_NAMES.get(p, p)} {n}" for p, n in sorted(platforms.items())]
    unreachable = audience.unreachable()
    said.append(f"unreachable {len(unreachable)}")
    return ", ".join(said)


def _describe(inv: Invocation) -> Confirmation:
    prepared: Prepared = inv.checked
    audience, text = prepared.audience, prepared.draft
    who = []
    if audience.people:
        who.append(f"{_count(len(audience.people), 'maintainer')} of "
                   f"{_count(len(audience.tools), 'tool')}")  # fmt: skip
    if audience.channels():
        who.append(", ".join(audience.channels()))
    description = f"send the {text.severity} announcement “{text.title}” to {' and '.join(who)}"
    digest = hashlib.sha256(repr(text).encode()).hexdigest()[:16]
    return Confirmation(description, binding=f"{audience.digest()}:{digest}",
                        preview=_preview(prepared))  # fmt: skip


def _preview(prepared: Prepared) -> Reply:
    audience = prepared.audience
    parts: list[Part] = [
        Text.of(
            "Preview: ", Strong(_count(len(audience.tools), "tool")), ", ",
            Strong(_count(len(audience.people), "maintainer")), "; reachable: ",
            _reach(audience), "; ", _count(len(audience.channels()), "channel"), ".",
        )
    ]  # fmt: skip
    unreachable = audience.unreachable()
    if unreachable:
        names = ", ".join(r.recipient for r in unreachable[:10])
        more = f" and {len(unreachable) - 10} more" if len(unreachable) > 10 else ""
        parts.append(Text.of(f"Unreachable ({unreachable[0].error}): {names}{more}."))
    sample = next((r for r in audience.recipients if r.kind != "channel"), None)
    announcement = prepared.draft.announcement("", "")
    if sample is not None:
        parts.append(Text.of(f"What {sample.recipient} will get:"))
        parts.extend(announcement_reply(announcement, tools=list(sample.tools)).parts)
    else:
        parts.append(Text.of("What the channels will get:"))
        parts.extend(announcement_reply(announcement).parts)
    return Reply(tuple(parts))


async def _send(ctx: Context, inv: Invocation) -> Reply:
    prepared: Prepared = inv.checked
    audience = prepared.audience
    services = ctx.services
    row = prepared.draft.announcement(ctx.account or ctx.chat_key, audience.request.describe())
    number = await services.store.announcement_create(row, audience.recipients,
                                                       now=services.clock())  # fmt: skip
    if services.outbox_wake is not None:
        services.outbox_wake()
    to_send = sum(1 for r in audience.recipients if r.status == "pending")
    deliveries = _count(to_send, "delivery", "deliveries")
    heading = f"Announcement #{number} is queued: {deliveries} to make ({_reach(audience)})."
    return Reply(
        (
            Text.of(heading),
            Text.of(
                "Follow it with ",
                Strong(ctx.hint(f"announce status {number}")),
                "; stop what is not sent yet with ",
                Strong(ctx.hint(f"announce cancel {number}")),
                ".",
            ),
        ),  # fmt: skip
        summary=heading,
        meta={
            "audit": f"#{number} “{row.title}” to {row.audience}: {to_send} deliveries, "
            f"reach {_reach(audience)}"
        },  # fmt: skip
    )


COMMAND = command(
    "announce",
    summary="send an announcement to channels and to the maintainers of affected tools",
    args=(
        Arg("severity", "how serious it is", choices=SEVERITIES),
        Arg(
            "message",
            "the title, then ' | ' or a new line, then the body (Markdown)",
            verbatim=True,
        ),
    ),  # fmt: skip
    flags=(
        Flag("to", "configured channels, comma-separated (irc:#wikimedia-cloud,…)", kind=str),
        Flag("tools", "the maintainers of these tools, comma-separated", kind=str),
        Flag("all-tools", "the maintainers of every tool"),
        Flag("image", "only tools with a job on this image (python3.9)", kind=str),
        Flag("deprecated-images", "only tools with a job on a deprecated image"),
        Flag("no-build-service", "only tools with no job on a build-service image"),
        Flag("job-state", "only tools with a job in this state (failed, running…)", kind=str),
        Flag(
            "window", "the maintenance window in UTC: START/END (2026-12-05T10:00/12:00)", kind=str
        ),
        Flag("link", "a URL with the details", kind=str),
    ),  # fmt: skip
    permission=Permission.ADMIN,
    check=_check,
    confirm=_describe,
    audit_action="announce",
    details=(
        "Options go before the severity. Selectors (--image, --deprecated-images, "
        "--no-build-service, --job-state) are asked of the jobs API for --tools, or for "
        "every tool. Each maintainer gets one message per chat platform they are linked on, "
        "listing their tools; with no link, an email. You see a preview and a code first."
    ),
    subcommands=(STATUS, CANCEL, LIST),
)(_send)
