"""Chat adapters. Each owns one protocol; :func:`configured_adapters` builds the ones configured."""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.adapter import Adapter
    from bot.config import Config
    from bot.core import Bot

# TOML table -> (module, adapter class, config class)
KNOWN = {
    "irc": ("adapters.irc", "IrcAdapter", "IrcConfig"),
    "zulip": ("adapters.zulip", "ZulipAdapter", "ZulipConfig"),
    "slack": ("adapters.slack", "SlackAdapter", "SlackConfig"),
}


def configured_adapters(
    config: Config, bot: Bot, env: Mapping[str, str] | None = None
) -> list[Adapter]:
    """One adapter per ``[irc]`` / ``[zulip]`` / ``[slack]`` table present and not disabled.

    A table that is incomplete raises that adapter's ``ValueError`` naming what is missing.
    """
    env = os.environ if env is None else env
    found: list[Adapter] = []
    for name, table in config.adapters.items():
        if table.get("enabled", True) is False:
            continue
        module_name, adapter_name, config_name = KNOWN[name]
        module: Any = importlib.import_module(module_name)
        adapter_config = getattr(module, config_name).from_toml(table, env)
        found.append(getattr(module, adapter_name)(adapter_config, bot))
    return found
