"""The ``[irc]`` table of forgebot's TOML configuration."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: Capabilities requested when offered; ``sasl`` is added when a mechanism is set.
DEFAULT_CAPS = (
    "account-tag",
    "extended-join",
    "account-notify",
    "chghost",
    "message-tags",
    "server-time",
)
SASL_MECHANISMS = ("PLAIN", "EXTERNAL", "NONE")
OVERFLOW_MODES = ("private", "truncate")


class IrcConfigError(ValueError):
    """The ``[irc]`` table is wrong; the message says which key and why."""


@dataclass(frozen=True)
class IrcConfig:
    """How to reach the network, who to be there, and how politely to talk."""

    server: str = "irc.libera.chat"
    port: int = 6697
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
    password: str = field(default="", repr=False)
    sasl_required: bool = True
    channels: tuple[str, ...] = ("#wikimedia-cloud",)
    owner_channels: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()  # services accounts heard in owner_channels
    caps: tuple[str, ...] = DEFAULT_CAPS
    whois_cache_seconds: float = 30.0
    formatting: bool = False
    address_replies: bool = True
    max_channel_lines: int = 5
    max_private_lines: int = 60
    overflow: str = "private"
    flood_burst: int = 5
    flood_rate: float = 0.5  # lines per second; 0 turns flood control off
    ping_interval: float = 60.0
    ping_timeout: float = 180.0
    connect_timeout: float = 30.0
    reconnect_min: float = 2.0
    reconnect_max: float = 300.0
    rejoin_delay: float = 10.0  # after a KICK; negative: stay out
    reply_max_age: float = 300.0  # undelivered lines older than this are logged and dropped

    @property
    def account(self) -> str:
        return self.sasl_account or self.nick

    @property
    def nicks(self) -> tuple[str, ...]:
        return (self.nick, *self.alt_nicks)

    def replace(self, **changes: Any) -> IrcConfig:
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_toml(cls, table: Mapping[str, Any], env: Mapping[str, str]) -> IrcConfig:
        """Build from the ``[irc]`` table; the password comes from ``env[password_env]``."""
        if "password" in table:
            raise IrcConfigError(
                "irc.password: keep the password out of the file; "
                "set the environment variable named by irc.password_env instead"
            )
        kinds = {f.name: f for f in dataclasses.fields(cls) if f.name != "password"}
        values: dict[str, Any] = {}
        for key, raw in table.items():
            if key == "enabled":  # read by adapters.configured_adapters
                continue
            if key not in kinds:
                raise IrcConfigError(f"irc.{key}: unknown key (known: {', '.join(sorted(kinds))})")
            values[key] = _coerce(key, kinds[key].default, raw)
        config = cls(**values)
        password = env.get(config.password_env, "")
        config = config.replace(password=password)
        config.validate()
        return config

    def validate(self) -> None:
        mech = self.sasl_mechanism.upper()
        if mech not in SASL_MECHANISMS:
            raise IrcConfigError(f"irc.sasl_mechanism: one of {', '.join(SASL_MECHANISMS)}")
        if mech == "PLAIN" and not self.password:
            raise IrcConfigError(
                f"irc: SASL PLAIN needs a password in the environment variable {self.password_env}"
            )
        if mech == "EXTERNAL" and not (self.tls and self.tls_certfile):
            raise IrcConfigError("irc: SASL EXTERNAL needs tls = true and tls_certfile")
        if self.overflow not in OVERFLOW_MODES:
            raise IrcConfigError(f"irc.overflow: one of {', '.join(OVERFLOW_MODES)}")
        if self.max_channel_lines < 1 or self.max_private_lines < 1:
            raise IrcConfigError("irc.max_channel_lines and max_private_lines must be >= 1")
        if self.flood_burst < 1:
            raise IrcConfigError("irc.flood_burst must be >= 1")
        if not 0 < self.ping_interval < self.ping_timeout:
            raise IrcConfigError("irc: need 0 < ping_interval < ping_timeout")
        if not 0 < self.reconnect_min <= self.reconnect_max:
            raise IrcConfigError("irc: need 0 < reconnect_min <= reconnect_max")
        for channel in (*self.channels, *self.owner_channels):
            if not channel.startswith(("#", "&")) or any(c in channel for c in " ,\x07\r\n"):
                raise IrcConfigError(f"irc.channels: {channel!r} is not a channel name")


def _coerce(key: str, default: Any, raw: Any) -> Any:
    """Check a TOML value against the field's default type."""
    if isinstance(default, tuple):
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
            raise IrcConfigError(f"irc.{key}: expected a list of strings")
        return tuple(raw)
    if isinstance(default, bool):
        if not isinstance(raw, bool):
            raise IrcConfigError(f"irc.{key}: expected true or false")
        return raw
    if isinstance(default, int) and not isinstance(default, bool):
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise IrcConfigError(f"irc.{key}: expected an integer")
        return raw
    if isinstance(default, float):
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise IrcConfigError(f"irc.{key}: expected a number")
        return float(raw)
    if not isinstance(raw, str):
        raise IrcConfigError(f"irc.{key}: expected a string")
    return raw
