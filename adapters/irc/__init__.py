"""IRC adapter: services-account identity, flood control, reconnection.

Names are imported on first use, so reading the ``[irc]`` table's model
(``adapters.irc.config``) does not load the IRC library.
"""

from bot.lazy import lazy_exports

_WHERE = {
    "IrcAdapter": "adapters.irc.adapter",
    "IrcConfig": "adapters.irc.config",
    "IrcError": "adapters.irc.connection",
    "IrcSaslError": "adapters.irc.connection",
}
__all__ = sorted(_WHERE)
__getattr__ = lazy_exports(_WHERE)
