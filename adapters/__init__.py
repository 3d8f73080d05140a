"""Chat adapters. Each owns one protocol; :func:`configured_adapters` builds the ones configured.

Only the adapters a configuration names are imported (their chat libraries
are heavy), and reading the configuration imports only their table models.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

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


def configured_adapters(config: Config, core: Core) -> list[Adapter]:
    """One adapter per ``[irc]`` / ``[zulip]`` / ``[slack]`` table present and enabled."""
    found: list[Adapter] = []
    for name, table in config.adapters.items():
        if not table.enabled:
            continue
        module, adapter, _, _ = KNOWN[name]
        found.append(getattr(importlib.import_module(module), adapter)(table, core))
    return found
