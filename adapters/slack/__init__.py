"""Slack: slash command, mentions and DMs in, Block Kit out (see ``adapter``).

Names are imported on first use, so reading the ``[slack]`` table's model
does not load Bolt and the Slack SDK.
"""

from bot.lazy import lazy_exports

_WHERE = {"SlackAdapter": "adapters.slack.adapter", "SlackConfig": "adapters.slack.config"}
__all__ = sorted(_WHERE)
__getattr__ = lazy_exports(_WHERE)
