"""The audit log, as transaction bodies for ``Store``."""

from __future__ import annotations

from sqlmodel import Session, col, select, update

from bot.store.models import KEY, SHORT, AuditEvent

DETAIL = 2000
_LIMITS = {
    "actor_account": KEY,
    "chat_key": KEY,
    "platform": 32,
    "action": SHORT,
    "tool": KEY,
    "target": KEY,
    "result": SHORT,
    "detail": DETAIL,
}


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clipped(event: AuditEvent) -> AuditEvent:
    """``event`` with every text cut to what its column holds."""
    for name, limit in _LIMITS.items():
        value = getattr(event, name)
        if isinstance(value, str):
            setattr(event, name, clip(value, limit))
    return event


def finish(session: Session, event_id: int, result: str, detail: str) -> None:
    session.exec(
        update(AuditEvent)
        .where(col(AuditEvent.id) == event_id)
        .values(result=clip(result, _LIMITS["result"]), detail=clip(detail, DETAIL))
        .execution_options(synchronize_session=False)
    )


def events(session: Session, tool: str | None, limit: int) -> list[AuditEvent]:
    statement = select(AuditEvent)
    if tool is not None:
        statement = statement.where(AuditEvent.tool == tool)
    statement = statement.order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
    return list(session.exec(statement.limit(limit)).all())
