"""An in-process imitation of the Toolforge API with sample tools (see ``tools.toml``)."""

from bot.sandbox._server import Sandbox
from bot.sandbox._state import DEFAULT_DATA

__all__ = ["DEFAULT_DATA", "Sandbox"]
