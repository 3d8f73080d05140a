"""Zulip: DMs and stream mentions in, Zulip Markdown out (see ``adapter``)."""

from adapters.zulip.adapter import ZulipAdapter
from adapters.zulip.config import ZulipConfig, ZulipConfigError

__all__ = ["ZulipAdapter", "ZulipConfig", "ZulipConfigError"]
