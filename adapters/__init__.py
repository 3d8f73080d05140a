"""Chat adapters. Each owns one protocol; :func:`configured_adapters` builds the ones configured.

Only the adapters a configuration names are imported (their chat libraries
are heavy), and reading the configuration imports only their table models.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.adapter import Adapter, Core
    from bot.config import AdapterSection, Config

# TOML table -> (module of the adapter, its class, module of its table's model, that model)
KNOWN = {
    "irc": ("adapters.irc.adapter", "IrcAdapter", "adapters.irc.config", "IrcConfig"),
    "zulip": ("adapters.zulip.adapter", "ZulipAdapter", "adapters.zulip.config", "ZulipConfig"),
    "slack": ("adapters.slack.adapter", "SlackAdapter", "adapters.slack.config", "SlackConfig"),
}


def config_models() -> dict[str, type[AdapterSection]]:
    """The model of each adapter's table, for :func:`bot.config.load_config`."""
    return {
        name: getattr(importlib.import_module(module), model)
        for name, (_, _, module, model) in KNOWN.items()
    }


# TOML table -> (module, class) of a connection opened before the bot is assembled
EARLY = {"irc": ("adapters.irc.early", "EarlyConnection")}


def connect_early(config: Config) -> dict[str, Any]:
    """Start connecting the enabled adapters that can before the bot exists (IRC: its
    registration overlaps the bot's own start); :func:`configured_adapters` takes them."""
    found: dict[str, Any] = {}
    for name, table in config.adapters.items():
        if table.enabled and name in EARLY:
            module, early = EARLY[name]
            found[name] = getattr(importlib.import_module(module), early)(table)
    return found


def configured_adapters(
    config: Config, core: Core, early: Mapping[str, Any] | None = None
) -> list[Adapter]:
    """One adapter per ``[irc]`` / ``[zulip]`` / ``[slack]`` table present and enabled;
    ``early``: the connections :func:`connect_early` started, for them to take over."""
    early = early or {}
    found: list[Adapter] = []
    for name, table in config.adapters.items():
        if not table.enabled:
            continue
        module, adapter, _, _ = KNOWN[name]
        made = getattr(importlib.import_module(module), adapter)
        found.append(made(table, core, early[name]) if name in early else made(table, core))
    return found
