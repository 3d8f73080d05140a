"""The ``[zulip]`` table of forgebot's configuration."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

API_KEY_ENV = "FORGEBOT_ZULIP_API_KEY"


class ZulipConfigError(ValueError):
    """The ``[zulip]`` table or the environment lacks something the adapter needs."""


@dataclass(frozen=True)
class ZulipConfig:
    """How to reach the Zulip server and how patient to be with it.

    ``max_message_length`` is an upper bound; the server's own limit (sent at
    registration) wins when it is smaller. Replies longer than
    ``max_messages_per_reply`` messages are cut and the rest is uploaded as a
    file. ``catch_up_max_age`` bounds how old a message fetched after a queue
    expired may be and still run as a command.
    """

    site: str
    email: str
    api_key: str = field(repr=False)
    max_message_length: int = 10_000
    max_messages_per_reply: int = 4
    backoff_initial: float = 1.0
    backoff_max: float = 60.0
    catch_up_max_age: float = 600.0
    catch_up_limit: int = 200
    announce_topic: str = "forgebot"
    send_attempts: int = 5
    insecure: bool = False
    cert_bundle: str | None = None

    @classmethod
    def from_toml(cls, table: Mapping[str, Any], env: Mapping[str, str]) -> ZulipConfig:
        """Build from the ``[zulip]`` table; the API key comes only from the environment."""
        site = str(table.get("site", "")).strip()
        email = str(table.get("email", "")).strip()
        api_key = env.get(API_KEY_ENV, "").strip()
        missing = [
            name
            for name, value in (
                ("[zulip] site", site),
                ("[zulip] email", email),
                (API_KEY_ENV, api_key),
            )
            if not value
        ]
        if missing:
            raise ZulipConfigError("the Zulip adapter needs " + ", ".join(missing))
        if not site.startswith(("http://", "https://")):
            # zulip.Client would silently turn "host:port" into https://host:port.
            site = "https://" + site
        return cls(
            site=site,
            email=email,
            api_key=api_key,
            max_message_length=int(table.get("max_message_length", 10_000)),
            max_messages_per_reply=max(1, int(table.get("max_messages_per_reply", 4))),
            backoff_initial=float(table.get("backoff_initial", 1.0)),
            backoff_max=float(table.get("backoff_max", 60.0)),
            catch_up_max_age=float(table.get("catch_up_max_age", 600.0)),
            catch_up_limit=int(table.get("catch_up_limit", 200)),
            announce_topic=str(table.get("announce_topic", "forgebot")),
            send_attempts=max(1, int(table.get("send_attempts", 5))),
            insecure=bool(table.get("insecure", False)),
            cert_bundle=table.get("cert_bundle"),
        )

