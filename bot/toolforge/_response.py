"""One answer of the gateway, read whole: what the client and the error sentences need;
and who is told of each call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from bot.jsontext import parse_json


@dataclass(frozen=True)
class ApiResponse:
    """The status, content type and body of an answer to ``method`` ``url``."""

    method: str
    url: str
    status_code: int
    content_type: str
    content: bytes

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    @cached_property
    def document(self) -> Any:
        """The body as JSON, parsed once however many callers share this answer (they
        only read it); ``ValueError`` when it is not JSON."""
        return parse_json(self.content)

    @property
    def is_success(self) -> bool:
        return 200 <= self.status_code < 300


#: Told of every call: (service, HTTP status or "error", seconds); the bot's metrics.
Observer = Callable[[str, str, float], None]
