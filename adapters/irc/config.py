"""The ``[irc]`` table of forgebot's TOML configuration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import Field, field_validator, model_validator

from bot.config import AdapterSection

#: Capabilities requested when offered; ``sasl`` is added when a mechanism is set.
DEFAULT_CAPS = (
    "account-tag",
    "extended-join",
    "account-notify",
    "chghost",
    "message-tags",
    "server-time",
    "echo-message",
)
SASL_MECHANISMS = ("PLAIN", "EXTERNAL", "NONE")
OVERFLOW_MODES = ("private", "truncate")
_LISTS = ("alt_nicks", "channels", "owner_channels", "owners", "caps")


class IrcConfig(AdapterSection):
    """How to reach the network, who to be there, and how politely to talk.

    The password comes from the environment variable named by ``password_env``.
    """

    SECRETS: ClassVar[Mapping[str, str]] = {"password": "FORGEBOT_IRC_PASSWORD"}

    server: str = "irc.libera.chat"
    port: int = Field(6697, ge=1, le=65535)
    tls: bool = True
    tls_verify: bool = True
    tls_ca_file: str | None = None  # a private CA instead of the system's
    tls_certfile: str | None = None  # client certificate (SASL EXTERNAL, CertFP)
    tls_keyfile: str | None = None
    nick: str = "forgebot"
    alt_nicks: tuple[str, ...] = ()
    username: str = "forgebot"
    realname: str = "forgebot, Toolforge chat-ops (https://toolsadmin.wikimedia.org)"
    sasl_mechanism: str = "PLAIN"
    sasl_account: str = ""  # defaults to nick
    password_env: str = "FORGEBOT_IRC_PASSWORD"
    password: str = Field("", repr=False)
    sasl_required: bool = True
    channels: tuple[str, ...] = ("#wikimedia-cloud",)
    owner_channels: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()  # services accounts heard in owner_channels
    caps: tuple[str, ...] = DEFAULT_CAPS
    whois_cache_seconds: float = 30.0
    formatting: bool = False
    address_replies: bool = True
    max_channel_lines: int = Field(5, ge=1)
    max_private_lines: int = Field(60, ge=1)
    # Longer answers are long (the core pages them, or puts them on a web page): five
    # lines of burst and three more at flood_rate, a few seconds rather than a minute.
    comfortable_lines: int = Field(8, ge=2)
    overflow: str = "private"
    flood_burst: int = Field(5, ge=1)
    flood_rate: float = 0.5  # lines per second; 0 turns flood control off
    ping_interval: float = 60.0
    ping_timeout: float = 180.0
    connect_timeout: float = 30.0
    reconnect_min: float = 2.0
    reconnect_max: float = 300.0
    rejoin_delay: float = 10.0  # after a KICK; negative: stay out
    reply_max_age: float = 300.0  # undelivered lines older than this are logged and dropped

    @classmethod
    def secret_env(cls, table: Mapping[str, Any]) -> Mapping[str, str]:
        return {"password": str(table.get("password_env") or cls.SECRETS["password"])}

    @property
    def account(self) -> str:
        return self.sasl_account or self.nick

    @property
    def nicks(self) -> tuple[str, ...]:
        return (self.nick, *self.alt_nicks)

    @field_validator(*_LISTS, mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value

    @field_validator("sasl_mechanism")
    @classmethod
    def _mechanism(cls, value: str) -> str:
        if value.upper() not in SASL_MECHANISMS:
            raise ValueError(f"one of {', '.join(SASL_MECHANISMS)}")
        return value

    @field_validator("overflow")
    @classmethod
    def _overflow(cls, value: str) -> str:
        if value not in OVERFLOW_MODES:
            raise ValueError(f"one of {', '.join(OVERFLOW_MODES)}")
        return value

    @field_validator("channels", "owner_channels")
    @classmethod
    def _channels(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for channel in value:
            if not channel.startswith(("#", "&")) or any(c in channel for c in " ,\x07\r\n"):
                raise ValueError(f"{channel!r} is not a channel name")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> IrcConfig:
        mech = self.sasl_mechanism.upper()
        if mech == "PLAIN" and not self.password and self.enabled:
            raise ValueError(
                f"SASL PLAIN needs a password in the environment variable {self.password_env}"
            )
        if mech == "EXTERNAL" and not (self.tls and self.tls_certfile):
            raise ValueError("SASL EXTERNAL needs tls = true and tls_certfile")
        if not 0 < self.ping_interval < self.ping_timeout:
            raise ValueError("need 0 < ping_interval < ping_timeout")
        if not 0 < self.reconnect_min <= self.reconnect_max:
            raise ValueError("need 0 < reconnect_min <= reconnect_max")
        return self
