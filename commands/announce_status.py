"""announce status <id> | cancel <id> | list: how a campaign stands, stopping it, the recent ones.

Status counts deliveries and acknowledgements, then goes per tool (its
maintainers: delivered to, acknowledged, failed or unreachable) and per
person (where each delivery stands, why one failed).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from bot.announce.message import when, window_text
from bot.commands import Arg, Flag, Invocation, Permission, command
from bot.context import Context
from bot.errors import UsageError
from bot.reply import Badge, Bullets, Inline, Part, Reply, Strong, Table, Text, Tone
from bot.store import Announcement, Delivery

ROWS = 15  # rows per table unless --all
_TONES = {"sent": Tone.OK, "pending": Tone.INFO, "claimed": Tone.INFO, "failed": Tone.ERROR,
          "unreachable": Tone.ERROR, "cancelled": Tone.MUTED}  # fmt: skip


async def _announcement(ctx: Context, inv: Invocation) -> Announcement:
    number: int = inv["id"]
    found = await ctx.services.store.announcement_get(number)
    if found is None:
        raise UsageError(f"there is no announcement #{number} (see {ctx.hint('announce list')})")
    return found


def _state(a: Announcement, rows: list[Delivery] | None = None) -> str:
    """Where it stands; with its ``rows``, a fan-out that just ended (not settled yet)
    says so too."""
    if a.cancelled_at is not None:
        return f"cancelled {when(a.cancelled_at)} by {a.cancelled_by}"
    if a.sent_at is not None:
        return f"fan-out finished {when(a.sent_at)}"
    if rows is not None and not any(d.status in ("pending", "claimed") for d in rows):
        return "fan-out finished"
    return "being sent"


def _heading(a: Announcement, rows: list[Delivery]) -> Text:
    window = window_text(a)
    return Text.of(
        Badge(a.severity, Tone.INFO), " ", Strong(f"#{a.id} {a.title}"),
        f" by {a.author}, {when(a.created_at)}; {_state(a, rows)}",
        f"; window {window}" if window else "",
    )  # fmt: skip


def _person_cell(rows: list[Delivery]) -> str:
    said = []
    for d in rows:
        where = d.platform if d.kind != "none" else "nowhere"
        note = (
            f" ({d.last_error})" if d.status in ("failed", "unreachable") and d.last_error else ""
        )
        said.append(f"{where} {d.status}{note}")
    return "; ".join(said)


def _totals(rows: list[Delivery]) -> Text:
    people = defaultdict(list)
    for d in rows:
        if d.kind != "channel":
            people[d.recipient].append(d)
    reached = sum(1 for ds in people.values() if any(d.status == "sent" for d in ds))
    acked = sum(1 for ds in people.values() if any(d.acked_at for d in ds))
    counts: dict[str, int] = defaultdict(int)
    for d in rows:
        counts[d.status] += 1
    spans: list[Inline] = [f"{len(rows)} deliveries: "]
    for status in ("sent", "pending", "claimed", "failed", "unreachable", "cancelled"):
        if counts[status]:
            spans += [Badge(f"{counts[status]} {status}", _TONES[status]), " "]
    spans.append(f"— reached {reached} of {len(people)} people, {acked} acknowledged")
    return Text(tuple(spans))


async def _status(ctx: Context, inv: Invocation) -> Reply:
    a: Announcement = inv.subject
    assert a.id is not None
    rows = await ctx.services.store.announcement_deliveries(a.id)
    limit = None if inv["all"] else ROWS
    parts: list[Part] = [_heading(a, rows), _totals(rows)]
    channels = [d for d in rows if d.kind == "channel"]
    if channels:
        parts.append(Bullets(tuple((d.destination, " ", Badge(d.status, _TONES[d.status]),
                                    f" {d.last_error}" if d.status == "failed" else "")
                                   for d in channels)))  # fmt: skip
    by_person: dict[str, list[Delivery]] = defaultdict(list)
    by_tool: dict[str, set[str]] = defaultdict(set)
    for d in rows:
        if d.kind != "channel":
            by_person[d.recipient].append(d)
            for tool in d.tool_names():
                by_tool[tool].add(d.recipient)
    if by_tool:
        tool_rows = []
        for tool, people in sorted(by_tool.items()):
            theirs = [by_person[p] for p in people]
            tool_rows.append((
                tool, str(len(people)),
                str(sum(any(d.status == "sent" for d in ds) for ds in theirs)),
                str(sum(any(d.acked_at for d in ds) for ds in theirs)),
                str(sum(all(d.status in ("failed", "unreachable") for d in ds) for ds in theirs)),
            ))  # fmt: skip
        parts += _table(("tool", "maintainers", "reached", "acked", "not reachable"),
                        tool_rows, limit, "tools")  # fmt: skip
        person_rows = [
            (person, ", ".join(sorted({t for d in ds for t in d.tool_names()})),
             _person_cell(ds), "yes" if any(d.acked_at for d in ds) else "no")
            for person, ds in sorted(by_person.items())
        ]  # fmt: skip
        parts += _table(("person", "tools", "deliveries", "acked"), person_rows, limit, "people")
    return Reply(tuple(parts), summary=f"announcement #{a.id}: {_state(a, rows)}")


def _table(
    headers: tuple[str, ...], rows: Sequence[tuple[str, ...]], limit: int | None, what: str
) -> list[Part]:
    shown = rows if limit is None else rows[:limit]
    found: list[Part] = [Table(headers, tuple(shown))]
    if len(shown) < len(rows):
        found.append(Text.of(f"… and {len(rows) - len(shown)} more {what} (--all lists them)"))
    return found


async def _cancel(ctx: Context, inv: Invocation) -> Reply:
    a: Announcement = inv.subject
    assert a.id is not None
    store = ctx.services.store
    cancelled, dropped = await store.announcement_cancel(a.id, by=ctx.account or ctx.chat_key,
                                                         now=ctx.services.clock())  # fmt: skip
    assert cancelled is not None
    sent = (await store.announcement_counts(a.id)).count("sent")
    if a.cancelled_at is not None:
        line = f"Announcement #{a.id} was already {_state(a)}; {sent} deliveries had been made."
    else:
        line = (f"Announcement #{a.id} is cancelled: {dropped} deliveries not yet made will not "
                f"be; {sent} had been made already.")  # fmt: skip
    return Reply((Text.of(line),), summary=line, meta={"audit": line})


async def _list(ctx: Context, inv: Invocation) -> Reply:
    found = await ctx.services.store.announcements("all", now=ctx.services.clock(), limit=10)
    if not found:
        return Reply.text("No announcements yet.")
    rows = tuple((f"#{a.id}", a.severity, a.title, when(a.created_at), _state(a)) for a in found)
    return Reply((Table(("id", "severity", "title", "created", "state"), rows),))


STATUS = command(
    "status",
    summary="how an announcement's deliveries and acknowledgements stand, per tool and person",
    args=(Arg("id", "the announcement's number", kind=int),),
    flags=(Flag("all", "list every tool and person, not the first 15"),),
    permission=Permission.ADMIN,
    load=_announcement,
)(_status)

CANCEL = command(
    "cancel",
    summary="cancel an announcement: what is not sent yet never will be",
    args=(Arg("id", "the announcement's number", kind=int),),
    permission=Permission.ADMIN,
    load=_announcement,
    audit_action="announce.cancel",
    target_arg="id",
)(_cancel)

LIST = command(
    "list",
    summary="the recent announcements",
    permission=Permission.ADMIN,
)(_list)
