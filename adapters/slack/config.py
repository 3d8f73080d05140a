"""The ``[slack]`` table of forgebot's configuration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from bot.config import AdapterSection

BOT_TOKEN_ENV = "FORGEBOT_SLACK_BOT_TOKEN"
APP_TOKEN_ENV = "FORGEBOT_SLACK_APP_TOKEN"
SIGNING_SECRET_ENV = "FORGEBOT_SLACK_SIGNING_SECRET"


class SlackConfig(AdapterSection):
    """Tokens (from the environment only), the connection mode and a few limits.

    ``mode = "socket"`` (default) needs the app-level token and no public URL;
    ``mode = "http"`` needs the signing secret and the bot's HTTP server to
    mount :meth:`SlackAdapter.web_app` at ``events_path``. ``base_url``
    points the Web API client elsewhere (tests, a proxy); empty means Slack.
    """

    SECRETS: ClassVar[Mapping[str, str]] = {
        "bot_token": BOT_TOKEN_ENV,
        "app_token": APP_TOKEN_ENV,
        "signing_secret": SIGNING_SECRET_ENV,
    }

    bot_token: str = Field("", repr=False)
    app_token: str = Field("", repr=False)
    signing_secret: str = Field("", repr=False)
    mode: Literal["socket", "http"] = "socket"
    base_url: str = ""
    slash_command: str = Field("/toolforge", pattern=r"^/")
    events_path: str = Field("/slack/events", pattern=r"^/")
    lookup_email: bool = True
    email_cache_seconds: float = 3600.0
    ping_interval: float = Field(10.0, gt=0)
    backoff_initial: float = Field(1.0, gt=0)
    backoff_max: float = Field(60.0, gt=0)
    max_messages_per_reply: int = Field(4, ge=1)
    # Longer answers are long: a short summary, and the whole answer uploaded as a file.
    comfortable_chars: int = Field(6000, ge=500)

    @model_validator(mode="after")
    def _credentials(self) -> SlackConfig:
        if not self.enabled:
            return self
        missing = []
        if not self.bot_token:
            missing.append(BOT_TOKEN_ENV)
        if self.mode == "socket" and not self.app_token:
            missing.append(f"{APP_TOKEN_ENV} (socket mode)")
        if self.mode == "http" and not self.signing_secret:
            missing.append(f"{SIGNING_SECRET_ENV} (http mode)")
        if missing:
            needed = ", ".join(missing)
            raise ValueError(f"the Slack adapter needs the environment variables {needed}")
        return self
