"""How many HTTP connections forgebot keeps open at once to one service."""

from __future__ import annotations

import resource
from urllib.parse import urlsplit

# File descriptors kept for everything else (the chat connections, the database,
# the HTTP server) when the open-file limit bounds the connections to a service.
FD_RESERVE = 256


def connection_limit() -> int:
    """No fixed cap, only what the open-file limit allows (``0``: no limit at all).

    Neither the Toolforge gateway nor the tools' front sets a limit of its own per
    client; a fixed cap of 256 made 1000 concurrent ``status`` commands take at
    least 1.6 s at 200 ms per API call.
    """
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 0
    return max(64, soft - FD_RESERVE)


def origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and port (the scheme's default when not written): where ``url`` goes."""
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default
