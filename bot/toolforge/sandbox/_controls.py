"""What a test, a benchmark or a person at the console does to the sandbox's world.

The console commands (``sandbox help``) are how a user acts in the simulated
world during ``make run``: merge a merge request in the sandbox's GitLab, let
time pass, break or fix a job.
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Any

from bot.toolforge.sandbox import _buildsim, _front, _images
from bot.toolforge.sandbox._state import Crash, SandboxState

if TYPE_CHECKING:
    from bot.toolforge.sandbox._clock import SimClock
    from bot.toolforge.sandbox._gitlab import GitLab
    from bot.toolforge.sandbox._world import World

_HELP = (
    "sandbox commands (the simulated world; everything else goes to the bot):",
    "  sandbox time                     the simulated clock and its speed",
    "  sandbox advance SECONDS          let simulated time pass",
    "  sandbox speed FACTOR             simulated seconds per real second (0 stops the clock)",
    "  sandbox mrs [TOOL]               open merge requests in the sandbox's GitLab",
    "  sandbox merge TOOL [IID]         merge a merge request of toolforge-repos/TOOL",
    "  sandbox crash TOOL JOB [CODE]    make a job's current image and command crash",
    "                                   (code 137: killed for using too much memory)",
    "  sandbox crash-web TOOL [CODE]    make the tool's classic web service crash",
    "  sandbox front TOOL FAULT         the web front of TOOL: hang, loop, away or ok",
)


class Controls:
    world: World
    state: SandboxState
    clock: SimClock
    gitlab: GitLab | None
    base_url: str

    @property
    def tools(self) -> list[str]:
        return sorted(self.state.tools)

    @property
    def directory_tables(self) -> dict[str, Any]:
        """The sample data's ``tools`` (their maintainers) and ``accounts``, as the file has
        them: what a ``FileDirectory`` of it reads, without reading the file again."""
        tools = {name: {"maintainers": list(t.maintainers)} for name, t in self.state.tools.items()}
        return {"tools": tools, "accounts": dict(self.state.accounts)}

    @property
    def fake_secrets(self) -> tuple[str, ...]:
        """Every fake secret in the sample data; each contains ``SECRET``."""
        return tuple(self.state.secrets)

    def maintainers(self, tool: str) -> list[str]:
        return list(self.state.tools[tool].maintainers)

    def restart_count(self, tool: str, job: str) -> int:
        """How many restarts of this job the API was asked for."""
        return self.state.tools[tool].restarts[job]

    def job_state(self, tool: str, job: str) -> str:
        from bot.toolforge.sandbox._status import status

        now = self.world.now()
        return str(status(tool, self.state.tools[tool].jobs[job], now)["short"])

    def append_logs(self, tool: str, job: str, messages: list[str]) -> None:
        """Log lines written by the job now (as if its process printed them)."""
        now = self.world.now()
        state = self.state.tools[tool]
        record = state.jobs.get(job)
        pod = record.run.pod if record is not None and record.run is not None else job
        for message in messages:
            state.log(job, now, str(message), pod)

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` of simulated time pass: jobs run, crash, finish; builds progress."""
        self.clock.advance(seconds)
        self.world.now()

    def advance_builds(self, steps: int = 1) -> None:
        """Move every unfinished build on by stages: pending -> running -> finished."""
        now = self.world.now()
        for tool in self.state.tools.values():
            for build in tool.builds:
                _buildsim.advance_stages(build, steps, now)

    def crash(self, tool: str, job: str, exit_code: int = 1, lines: tuple[str, ...] = ()) -> None:
        """From the next pod on, the job's container exits with ``exit_code`` until its image
        (a new build) or its command changes."""
        record = self.state.tools[tool].jobs[job]
        image = _images.resolve(self.state, str(record.spec["imagename"]))
        killed = ("Killed",) if exit_code == 137 else ()
        shown = lines or killed or (f"{job}: fatal error, exiting with {exit_code}",)
        record.crash = Crash(f"{image.source}|{record.spec['cmd']}", exit_code, shown)

    def crash_classic(self, tool: str, exit_code: int = 1) -> None:
        """The tool's classic web service crashes from its next start on (137: OOMKilled)."""
        classic = self.state.tools[tool].classic
        if classic is None:
            raise KeyError(f"{tool} has no classic web service")
        classic.crash = (exit_code, "OOMKilled" if exit_code == 137 else "Error")

    def front_fault(self, tool: str, fault: str | None) -> None:
        """The web front of ``tool`` hangs, redirects to itself (``loop``) or to another
        site (``away``); ``None`` (or ``ok``) answers normally again."""
        if fault in (None, "ok"):
            self.state.front_faults.pop(tool, None)
            return
        if fault not in _front.FAULTS:
            raise ValueError(f"front faults: {', '.join(_front.FAULTS)} or ok")
        self.state.front_faults[tool] = fault

    def front_url(self, tool: str) -> str:
        """Where ``https://<tool>.toolforge.org/`` is served by this sandbox."""
        return f"{self.base_url}/front/{tool}/"

    def merge(self, tool: str, iid: int | None = None) -> str:
        if self.gitlab is None:
            return "this sandbox has no GitLab"
        return self.gitlab.merge(f"toolforge-repos/{tool}", iid)

    def console_command(self, line: str) -> list[str] | None:
        """Handle a ``sandbox ...`` line typed at the console (None: not one of ours)."""
        words = shlex.split(line) if line.strip().startswith("sandbox") else []
        if not words or words[0] != "sandbox":
            return None
        command, args = (words[1] if len(words) > 1 else "help"), words[2:]
        try:
            return self._console(command, args)
        except (ValueError, KeyError, IndexError) as error:
            return [f"sandbox: {error}", *_HELP[1:]]

    def _console(self, command: str, args: list[str]) -> list[str]:
        if command == "advance":
            self.advance(float(args[0]))
            return [f"sandbox: it is now {self.world.now():%Y-%m-%d %H:%M:%S} UTC"]
        if command == "speed":
            self.clock.run_in_real_time(float(args[0]))
            return [f"sandbox: the clock runs {self.clock.speed:g}x real time"]
        if command == "time":
            now, speed = self.world.now(), self.clock.speed
            return [f"sandbox: {now:%Y-%m-%d %H:%M:%S} UTC, {speed:g}x real time"]
        if command == "mrs":
            return (
                self.gitlab.describe_merge_requests(args[0] if args else None)
                if self.gitlab
                else []
            )
        if command == "merge":
            return [f"sandbox: {self.merge(args[0], int(args[1]) if len(args) > 1 else None)}"]
        if command == "crash":
            self.crash(args[0], args[1], int(args[2]) if len(args) > 2 else 1)
            return [f"sandbox: {args[1]} of {args[0]} will crash from its next start on"]
        if command == "crash-web":
            self.crash_classic(args[0], int(args[1]) if len(args) > 1 else 1)
            return [f"sandbox: the classic web service of {args[0]} will crash from its next start"]
        if command == "front":
            self.front_fault(args[0], args[1])
            return [f"sandbox: the web front of {args[0]}: {args[1]}"]
        return list(_HELP)
