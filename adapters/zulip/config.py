"""The ``[zulip]`` table of forgebot's configuration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from pydantic import Field, field_validator, model_validator

from bot.config import AdapterSection

API_KEY_ENV = "FORGEBOT_ZULIP_API_KEY"


class ZulipConfig(AdapterSection):
    """How to reach the Zulip server and how patient to be with it.

    ``max_message_length`` is an upper bound; the server's own limit (sent at
    registration) wins when it is smaller. Replies longer than
    ``max_messages_per_reply`` messages are cut and the rest is uploaded as a
    file. ``catch_up_max_age`` bounds how old a message fetched after a queue
    expired may be and still run as a command. The API key comes only from
    the environment.
    """

    SECRETS: ClassVar[Mapping[str, str]] = {"api_key": API_KEY_ENV}

    site: str
    email: str
    api_key: str = Field("", repr=False)
    max_message_length: int = Field(10_000, ge=100)
    max_messages_per_reply: int = Field(4, ge=1)
    backoff_initial: float = Field(1.0, gt=0)
    backoff_max: float = Field(60.0, gt=0)
    catch_up_max_age: float = 600.0
    catch_up_limit: int = Field(200, ge=0)
    announce_topic: str = "forgebot"
    send_attempts: int = Field(5, ge=1)
    insecure: bool = False
    cert_bundle: str | None = None

    @model_validator(mode="after")
    def _key_from_env(self) -> ZulipConfig:
        if self.enabled and not self.api_key:
            raise ValueError(f"the Zulip adapter needs the environment variable {API_KEY_ENV}")
        return self

    @field_validator("site")
    @classmethod
    def _with_scheme(cls, site: str) -> str:
        site = site.strip()
        if not site:
            raise ValueError("the Zulip server's address is required")
        # zulip.Client would silently turn "host:port" into https://host:port.
        return site if site.startswith(("http://", "https://")) else "https://" + site
