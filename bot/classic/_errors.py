"""Kubernetes API failures as the sentences of ``bot.errors``.

Each names the Kubernetes API and the namespace, says what went wrong in
words a tool maintainer knows, and (through ``action``) what was not done.
"""

from __future__ import annotations

from bot.errors import (
    ToolforgeError,
    ToolforgeForbidden,
    ToolforgeNotFound,
    ToolforgeOutcomeUnknown,
    ToolforgeTimeout,
    ToolforgeUnavailable,
)

_UNKNOWN = "it may or may not have acted, so check the state before trying again"
_API = "the Kubernetes API"


def failure(
    error: Exception, namespace: str, action: str, *, timeout: float, method: str = "GET"
) -> ToolforgeError:
    """The error for a failed call on ``namespace``."""
    import httpx2
    from lightkube.core.exceptions import ApiError

    if isinstance(error, ApiError):
        code = error.status.code or error.response.status_code
        message = (error.status.message or "").strip().rstrip(".")
        return _for_status(code, message, namespace, action, method)
    if isinstance(error, httpx2.HTTPStatusError):  # an answer that is not a Kubernetes Status
        return _for_status(error.response.status_code, "", namespace, action, method)
    if isinstance(error, httpx2.TimeoutException):
        if method != "GET" and not isinstance(error, httpx2.ConnectTimeout):
            return ToolforgeOutcomeUnknown(
                f"the Kubernetes API did not answer within {timeout:g} s; {_UNKNOWN}."
            )
        return ToolforgeTimeout(f"{_API} did not answer within {timeout:g} s; {action}.")
    if isinstance(error, httpx2.ConnectError):
        return ToolforgeUnavailable(f"{_API} is unavailable (could not connect); {action}.")
    if isinstance(error, httpx2.HTTPError):
        return ToolforgeUnavailable(
            f"the Kubernetes API is unavailable ({type(error).__name__}); {action}."
        )
    # A body that is not the JSON it should be, or a shape lightkube cannot read.
    return ToolforgeUnavailable(
        f"the Kubernetes API sent an answer forgebot could not read; {action}."
    )


def _for_status(
    code: int, message: str, namespace: str, action: str, method: str
) -> ToolforgeError:
    if code >= 500 and method != "GET":
        return ToolforgeOutcomeUnknown(
            f"the Kubernetes API answered HTTP {code} to a request that changes something; "
            f"{_UNKNOWN}."
        )
    if code == 401:
        return ToolforgeForbidden(
            f"the Kubernetes API did not accept forgebot's credentials for {namespace} "
            f"(401 Unauthorized); {action}."
        )
    if code == 403:
        why = f": {message}" if message else ""
        return ToolforgeForbidden(f"{_API} refused access to {namespace}{why}; {action}.")
    if code == 404:
        return ToolforgeNotFound(f"{_API} found no such object in {namespace}; {action}.")
    if code >= 500:
        return ToolforgeUnavailable(f"the Kubernetes API is unavailable (HTTP {code}); {action}.")
    detail = f": {message}" if message else ""
    return ToolforgeError(f"the Kubernetes API answered HTTP {code}{detail}; {action}.")


def setup_failure(error: Exception, tool: str | None, action: str) -> ToolforgeError:
    """The credentials could not be loaded (a missing kubeconfig, an unreadable certificate)."""
    whose = f"tool {tool}'s" if tool else "forgebot's"
    reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
    return ToolforgeError(
        f"forgebot could not load {whose} Kubernetes credentials ({reason}); {action}."
    )
