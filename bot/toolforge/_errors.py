"""Turn HTTP failures into the sentences of ``bot.errors``.

Each sentence names the service, what went wrong in words a tool maintainer
knows, and (through ``action``) what was therefore *not* done.
"""

from __future__ import annotations

import enum
from typing import Any

from bot.errors import (
    ToolforgeError,
    ToolforgeForbidden,
    ToolforgeInvalid,
    ToolforgeNotFound,
    ToolforgeOutcomeUnknown,
    ToolforgeTimeout,
    ToolforgeUnavailable,
)
from bot.toolforge._response import ApiResponse

_MAX_TEXT = 300


_SERVICES = ("jobs", "builds", "envvars", "logs", "components")


def service_of(path: str) -> str:
    """``/jobs/v1/...`` -> ``jobs``: the gateway prefix names the backend."""
    for segment in path.split("/"):
        if segment in _SERVICES:
            return segment
    return "Toolforge"


def _texts(body: Any) -> list[str]:
    """The human-readable messages in any of the error shapes of toolforge-api.md §1.5."""
    if isinstance(body, str):
        return [body]
    if isinstance(body, list):
        return [t for item in body for t in _texts(item)]
    if not isinstance(body, dict):
        return []
    for key in ("error", "message", "detail", "msg"):
        if body.get(key):
            return _texts(body[key])
    messages = body.get("messages")
    if isinstance(messages, dict) and messages.get("error"):
        return _texts(messages["error"])
    return []


def api_text(response: ApiResponse) -> str:
    """The API's own explanation, if it gave one (``""`` otherwise)."""
    try:
        body = response.document
    except ValueError:
        body = None
    texts = _texts(body) if body is not None else []
    if not texts and "json" not in response.content_type:
        raw = response.text.strip()
        texts = [raw] if raw and not raw.lstrip().startswith("<") else []
    return "; ".join(t.strip().rstrip(".") for t in texts if t.strip())


def _clean(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if len(secret) >= 4:  # hiding "x" would garble the sentence and protect nothing
            text = text.replace(secret, "[redacted]")
    text = " ".join(text.split())
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…"


_UNKNOWN = "it may or may not have acted, so check the state before trying again"


def error_for_response(
    response: ApiResponse,
    *,
    tool: str | None,
    action: str,
    secrets: tuple[str, ...] = (),
) -> ToolforgeError:
    """The error for a non-2xx answer."""
    service = service_of(response.path)
    code = response.status_code
    if code >= 500 and response.method != "GET":
        # The request got as far as the gateway: the service may have acted, then failed.
        return ToolforgeOutcomeUnknown(
            f"the {service} service answered HTTP {code} to a request that changes "
            f"something; {_UNKNOWN}."
        )
    text = _clean(api_text(response), secrets)
    who = f"tool {tool}" if tool else "this tool"
    if code == 403:
        return ToolforgeForbidden(
            f"Toolforge refused access to {who} (the certificate does not match the tool); "
            f"{action}."
        )
    if code == 401:
        reason = text or "forgebot's credentials were not accepted"
        return ToolforgeForbidden(f"Toolforge refused access to {who} ({reason}); {action}.")
    if code == 404:
        if text:
            return ToolforgeNotFound(f"{text} ({service} service); {action}.")
        return ToolforgeNotFound(f"the {service} service found no such thing; {action}.")
    if code in (400, 409, 422):
        reason = f": {text}" if text else f" (HTTP {code})"
        return ToolforgeInvalid(f"the {service} service refused the request{reason}; {action}.")
    if code >= 500:
        return ToolforgeUnavailable(
            f"the {service} service is unavailable (HTTP {code}); {action}."
        )
    detail = f": {text}" if text else ""
    return ToolforgeError(f"the {service} service answered HTTP {code}{detail}; {action}.")


class Failure(enum.Enum):
    """How a request got no HTTP answer, whatever HTTP library saw it."""

    CONNECT = "could not connect"
    CONNECT_TIMEOUT = "no connection within the timeout"
    BROKEN = "the connection broke off"
    READ_TIMEOUT = "no answer within the timeout"
    OTHER = "other"


def error_for_failure(
    failure: Failure,
    *,
    path: str,
    timeout: float,
    action: str,
    method: str = "GET",
    name: str = "",
) -> ToolforgeError:
    """The error for a request that got no HTTP answer at all (``name``: of an OTHER)."""
    service = service_of(path)
    if failure in (Failure.CONNECT_TIMEOUT, Failure.READ_TIMEOUT):
        if method != "GET" and failure is Failure.READ_TIMEOUT:
            # The request went out: the service may have acted before going quiet.
            return ToolforgeOutcomeUnknown(
                f"the {service} service did not answer within {timeout:g} s; {_UNKNOWN}."
            )
        return ToolforgeTimeout(
            f"the {service} service did not answer within {timeout:g} s; {action}."
        )
    reason = name or "an error" if failure is Failure.OTHER else failure.value
    return ToolforgeUnavailable(f"the {service} service is unavailable ({reason}); {action}.")


def unreadable(path: str, action: str) -> ToolforgeUnavailable:
    """A 2xx whose body is not the JSON the contract promises."""
    return ToolforgeUnavailable(
        f"the {service_of(path)} service sent an answer forgebot could not read; {action}."
    )
