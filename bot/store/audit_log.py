"""The audit log, as transaction bodies for ``Store``."""

from __future__ import annotations

from sqlmodel import Session, col, select

from bot.store.models import AuditEvent


def events(session: Session, tool: str | None, limit: int) -> list[AuditEvent]:
    statement = select(AuditEvent)
    if tool is not None:
        statement = statement.where(AuditEvent.tool == tool)
    statement = statement.order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
    return list(session.exec(statement.limit(limit)).all())
