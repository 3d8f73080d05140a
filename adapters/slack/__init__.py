"""Slack: slash command, mentions and DMs in, Block Kit out (see ``adapter``)."""

from adapters.slack.adapter import SlackAdapter
from adapters.slack.config import SlackConfig, SlackConfigError

__all__ = ["SlackAdapter", "SlackConfig", "SlackConfigError"]
