"""build start | status | list | logs | cancel: a tool's builds, through the builds API.

Anyone may see a tool's builds (``status``, ``list``), as Toolforge shows
them; its maintainers may start and cancel them (after confirmation) and
read their logs (redacted, privately by default). Every maintainer action
is audited.
"""

from __future__ import annotations

from bot.commands import command
from commands.builds.cancel import CANCEL
from commands.builds.logs import LOGS
from commands.builds.start import START
from commands.builds.view import LIST, STATUS

COMMAND = command(
    "build",
    summary="start, follow, list and cancel a tool's builds (the build service)",
    details="Guide: https://wikitech.wikimedia.org/wiki/Help:Toolforge/Build_Service",
    subcommands=(STATUS, LIST, LOGS, START, CANCEL),
)(None)
