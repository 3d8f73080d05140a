"""What an exit code, a termination reason or a waiting reason means, in plain words."""

from __future__ import annotations

import re

from bot.toolforge import Job

_EXIT = re.compile(r"exitcode (\d+)")
_MEANINGS = {
    0: "it ended without error, but a continuous job must keep running",
    1: "the program stopped on an error of its own",
    2: "often a wrong option or argument on its command line",
    126: "the command could not be run (a script not executable?)",
    127: "the command was not found",
    137: "killed (SIGKILL): on Toolforge nearly always for using more memory than its limit",
    139: "the program crashed (segmentation fault)",
    143: "stopped from outside (SIGTERM)",
}


def exit_code(job: Job) -> int | None:
    """The last exit code the jobs API reports for ``job`` (``exitcode N``), if any."""
    for message in job.status_messages:
        found = _EXIT.search(message)
        if found:
            return int(found.group(1))
    return None


def meaning(code: int, reason: str = "") -> str:
    """``exit code 137, out of memory``: the code and what it says about the program."""
    if reason == "OOMKilled" or code == 137:
        return f"exit code {code}: killed for using more memory than its limit"
    return f"exit code {code}: {_MEANINGS.get(code, 'the program ended with an error')}"


def out_of_memory(code: int | None, reason: str = "") -> bool:
    return reason == "OOMKilled" or code == 137


def guide_for(code: int | None, reason: str = "") -> str:
    """The guide problem id that explains this way of ending."""
    if out_of_memory(code, reason):
        return "out-of-memory"
    if code in (126, 127, 2, 139, 143, 0):
        return "exit-codes"
    return "crash-loop"


def pull_failure(job: Job) -> str:
    """The kubelet's 'cannot pull the image' message in the job's status, if there is one."""
    for message in job.status_messages:
        if "pulling image" in message.lower() or "pull" in message.lower() and "image" in message:
            return message
    return ""


def quota_refusal(job: Job) -> str:
    """'Unable to start, out of quota for memory' and the like."""
    return next((m for m in job.status_messages if m.startswith("Unable to start")), "")


def doubled_memory(memory: str, maximum: str) -> str:
    """A larger memory limit to suggest: twice the current one, at most ``maximum``."""
    from bot.toolforge import quantity

    current, top = quantity(memory or "0.5Gi") or 2**29, quantity(maximum or "4Gi") or 2**32
    wanted = min(current * 2, top)
    return f"{wanted / 2**30:g}Gi" if wanted >= 2**30 else f"{wanted / 2**20:.0f}Mi"
