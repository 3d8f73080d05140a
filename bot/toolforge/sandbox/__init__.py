"""An in-process imitation of the Toolforge API with sample tools (see ``tools.toml``)."""

from bot.toolforge.sandbox._server import Sandbox
from bot.toolforge.sandbox._state import DEFAULT_DATA

__all__ = ["DEFAULT_DATA", "Sandbox"]
