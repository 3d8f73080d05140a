"""The ``[slack]`` table of forgebot's configuration."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

BOT_TOKEN_ENV = "FORGEBOT_SLACK_BOT_TOKEN"
APP_TOKEN_ENV = "FORGEBOT_SLACK_APP_TOKEN"
SIGNING_SECRET_ENV = "FORGEBOT_SLACK_SIGNING_SECRET"

Mode = Literal["socket", "http"]


class SlackConfigError(ValueError):
    """The ``[slack]`` table or the environment lacks something the adapter needs."""


@dataclass(frozen=True)
class SlackConfig:
    """Tokens (from the environment only), the connection mode and a few limits.

    ``mode = "socket"`` (default) needs the app-level token and no public URL;
    ``mode = "http"`` needs the signing secret and the bot's HTTP server to
    mount :meth:`SlackAdapter.web_app` at ``events_path``. ``base_url``
    points the Web API client elsewhere (tests, a proxy); empty means Slack.
    """

    bot_token: str = field(repr=False)
    app_token: str = field(default="", repr=False)
    signing_secret: str = field(default="", repr=False)
    mode: Mode = "socket"
    base_url: str = ""
    slash_command: str = "/toolforge"
    events_path: str = "/slack/events"
    lookup_email: bool = True
    email_cache_seconds: float = 3600.0
    ping_interval: float = 10.0
    backoff_initial: float = 1.0
    backoff_max: float = 60.0
    max_messages_per_reply: int = 4

    def __post_init__(self) -> None:
        problems = []
        if not self.bot_token:
            problems.append(BOT_TOKEN_ENV)
        if self.mode == "socket" and not self.app_token:
            problems.append(f"{APP_TOKEN_ENV} (socket mode)")
        if self.mode == "http" and not self.signing_secret:
            problems.append(f"{SIGNING_SECRET_ENV} (http mode)")
        if self.mode not in ("socket", "http"):
            problems.append('[slack] mode = "socket" or "http"')
        if not self.slash_command.startswith("/"):
            problems.append("[slack] slash_command starting with /")
        if problems:
            raise SlackConfigError("the Slack adapter needs " + ", ".join(problems))

    @classmethod
    def from_toml(cls, table: Mapping[str, Any], env: Mapping[str, str]) -> SlackConfig:
        """Build from the ``[slack]`` table; tokens and the secret come only from ``env``."""
        return cls(
            bot_token=env.get(BOT_TOKEN_ENV, "").strip(),
            app_token=env.get(APP_TOKEN_ENV, "").strip(),
            signing_secret=env.get(SIGNING_SECRET_ENV, "").strip(),
            mode=table.get("mode", "socket"),
            base_url=str(table.get("base_url", "")),
            slash_command=str(table.get("slash_command", "/toolforge")),
            events_path=str(table.get("events_path", "/slack/events")),
            lookup_email=bool(table.get("lookup_email", True)),
            email_cache_seconds=float(table.get("email_cache_seconds", 3600.0)),
            ping_interval=float(table.get("ping_interval", 10.0)),
            backoff_initial=float(table.get("backoff_initial", 1.0)),
            backoff_max=float(table.get("backoff_max", 60.0)),
            max_messages_per_reply=max(1, int(table.get("max_messages_per_reply", 4))),
        )
