"""A simulator of Toolforge: its APIs with their validation, a clock, a web front and a GitLab.

Imported only when asked for (``--sandbox``, ``forgebot sandbox``, tests):
production start-up never loads it.
"""

from bot.toolforge.sandbox._clock import SimClock
from bot.toolforge.sandbox._gitlab import FakeGitLab, GitLab
from bot.toolforge.sandbox._openapi import NOTES as SPEC_NOTES
from bot.toolforge.sandbox._repos import SANDBOX_TOKEN
from bot.toolforge.sandbox._samples import DEFAULT_DATA
from bot.toolforge.sandbox._server import Sandbox

__all__ = [
    "DEFAULT_DATA", "SANDBOX_TOKEN", "SPEC_NOTES", "FakeGitLab", "GitLab", "Sandbox", "SimClock",
]  # fmt: skip
