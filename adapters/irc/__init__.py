"""IRC adapter: services-account identity, flood control, reconnection."""

from adapters.irc.adapter import IrcAdapter
from adapters.irc.config import IrcConfig, IrcConfigError
from adapters.irc.connection import IrcError, IrcSaslError

__all__ = ["IrcAdapter", "IrcConfig", "IrcConfigError", "IrcError", "IrcSaslError"]
