"""Which tools announcements concern: transaction bodies for the news and the aside.

An announcement's audience is stored per delivery (``Delivery.tools``, a
JSON list); an announcement none of whose deliveries names a tool (channel
posts only) concerns all of Toolforge.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlmodel import Session, col, select

from bot.store.models import Delivery

NO_TOOLS = "[]"
_ESCAPE = "/"


def _like_literal(text: str) -> str:
    """``text`` matched literally by LIKE (with ``/`` as the escape character)."""
    for special in (_ESCAPE, "%", "_"):
        text = text.replace(special, _ESCAPE + special)
    return text


def scopes(session: Session, ids: Sequence[int], tool: str | None) -> tuple[set[int], set[int]]:
    """Of ``ids``: those naming some tool, and those naming ``tool`` (empty when ``None``)."""
    if not ids:
        return set(), set()
    of_them = col(Delivery.announcement_id).in_(list(ids))
    naming = set(
        session.exec(
            select(Delivery.announcement_id).where(of_them, Delivery.tools != NO_TOOLS).distinct()
        ).all()
    )
    if tool is None:
        return naming, set()
    # ``tools`` is json.dumps of a sorted list, so the tool appears as its JSON string.
    needle = f"%{_like_literal(json.dumps(tool))}%"
    touching = set(
        session.exec(
            select(Delivery.announcement_id)
            .where(of_them, col(Delivery.tools).like(needle, escape=_ESCAPE))
            .distinct()
        ).all()
    )
    return naming, touching
