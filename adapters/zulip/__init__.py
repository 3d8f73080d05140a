"""Zulip: DMs and stream mentions in, Zulip Markdown out (see ``adapter``).

Names are imported on first use, so reading the ``[zulip]`` table's model
does not load the Zulip library.
"""

from bot.lazy import lazy_exports

_WHERE = {"ZulipAdapter": "adapters.zulip.adapter", "ZulipConfig": "adapters.zulip.config"}
__all__ = sorted(_WHERE)
__getattr__ = lazy_exports(_WHERE)
