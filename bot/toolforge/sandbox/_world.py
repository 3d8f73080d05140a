"""The world a request sees: the state, the clock, and what moves them forward."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aiohttp import web

from bot.toolforge.sandbox import _buildsim
from bot.toolforge.sandbox._clock import SimClock
from bot.toolforge.sandbox._runtime import Runtime
from bot.toolforge.sandbox._state import SandboxState, ToolState


@dataclass
class World:
    state: SandboxState
    runtime: Runtime
    clock: SimClock
    read_repo: _buildsim.RepoReader

    def now(self) -> datetime:
        """The clock's time, with every job and build brought up to it."""
        now = self.clock.now()
        self.runtime.sync(now)
        for tool in self.state.tools.values():
            for build in tool.builds:
                _buildsim.refresh(build, now)
        return now

    def tool(self, name: str) -> ToolState:
        return self.state.tool(name)


WORLD = web.AppKey("sandbox_world", World)
