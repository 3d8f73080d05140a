"""How the process logs: its level, and one line of text or of JSON per record.

JSON lines are for a log store that indexes fields (Toolforge's log
collection, Loki, Kibana): ``time``, ``level``, ``logger``, ``message``, and
``exception`` with the traceback when there is one. Text is for a terminal.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Libraries that log every request (or their own set-up) at INFO: worth seeing only
# when debugging. Alembic's migrations themselves ("Running upgrade ...") stay INFO.
CHATTY = ("httpx", "httpcore", "hpack", "slack_bolt", "slack_sdk", "urllib3",
          "alembic.runtime.plugins")  # fmt: skip


class JsonFormatter(logging.Formatter):
    """One JSON object per line; every record stays on one line, tracebacks included."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str, format: str) -> None:
    """Send records at ``level`` and above to stderr as ``format`` ("text" or "json").

    Called again once the configuration is read, it replaces what it set before.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if format == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    numeric = logging.getLevelName(level.upper())
    root.setLevel(numeric)
    quiet = numeric if numeric <= logging.DEBUG else max(numeric, logging.WARNING)
    for name in CHATTY:
        logging.getLogger(name).setLevel(quiet)
