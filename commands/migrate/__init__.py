"""migrate <tool> | repo | grid | plan | go | skip | undo | status | back | cancel

A guided, resumable move of a tool to the build service. Anyone the chat
service identifies may get the plan; only the tool's maintainers may carry it
out, one confirmed step at a time (merge request, build, jobs, deletions, web
service, check), and undo what it did to the jobs. The state lives in the
store, so a bot restart loses nothing; every action is audited. Each
sub-command is declared like any command and goes through the same pipeline.
"""

from __future__ import annotations

from bot.commands import Arg, Permission, command
from commands.migrate.conversation import (
    BACK,
    CANCEL,
    GRID,
    PLAN,
    REPO,
    STATUS,
    check_start,
    existing_migration,
    start,
    start_action,
)
from commands.migrate.go import GO, SKIP
from commands.migrate.undo import UNDO

COMMAND = command(
    "migrate",
    summary="plan and carry out the move of a tool to the build service, step by step",
    args=(Arg("tool", "the tool to move to the build service"),),
    permission=Permission.VERIFIED,
    tool_arg="tool",
    load=existing_migration,
    check=check_start,
    audit_action=start_action,
    details="Start with 'migrate <tool>'. Anyone gets the plan; maintainers confirm each step.",
    subcommands=(REPO, GRID, PLAN, GO, SKIP, UNDO, STATUS, BACK, CANCEL),
)(start)
