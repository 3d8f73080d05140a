"""The console adapter: talk to the bot in a terminal or through a pipe.

On a terminal it prompts and colours status badges; when stdin is not a
terminal it prints plain text, one reply per input line, so
``echo "status sample-web" | forgebot console --sandbox`` works in scripts.
"""

from __future__ import annotations

import asyncio
import getpass
import os
import sys
import threading
from collections.abc import Callable
from typing import TextIO

from adapters.plain import bracket_badge, render_lines
from bot.adapter import Route
from bot.core import Bot
from bot.message import ChatIdentity, Message
from bot.reply import Badge, Reply, Tone

_ANSI = {
    Tone.OK: "\x1b[32m",
    Tone.WARN: "\x1b[33m",
    Tone.ERROR: "\x1b[31m",
    Tone.INFO: "\x1b[36m",
    Tone.MUTED: "\x1b[2m",
}
_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"


def colour_badge(badge: Badge) -> str:
    return f"{_ANSI[badge.tone]}● {badge.label}{_RESET}"


def bold(text: str) -> str:
    return f"{_BOLD}{text}{_RESET}"


def render_console(reply: Reply, *, colour: bool) -> list[str]:
    if colour:
        lines = render_lines(reply, colour_badge, bold)
        if reply.is_error and lines:
            lines[0] = f"{_ANSI[Tone.ERROR]}error:{_RESET} {lines[0]}"
        return lines
    lines = render_lines(reply, bracket_badge)
    if reply.is_error and lines:
        lines[0] = f"error: {lines[0]}"
    return lines


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (a container with an arbitrary uid)
        return f"uid-{os.getuid()}"


class ConsoleAdapter:
    platform = "console"

    def __init__(
        self,
        bot: Bot,
        account: str,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        colour: bool | None = None,
        operator: str | None = None,
        local_commands: Callable[[str], list[str] | None] | None = None,
    ) -> None:
        self.bot = bot
        # Lines the console answers itself (the sandbox's own commands), before the bot.
        self.local_commands = local_commands
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.interactive = self.stdin.isatty() and self.stdout.isatty()
        self.colour = self.interactive if colour is None else colour
        self.identity = ChatIdentity("console", user_id=account, display=account)
        self.operator = operator or _os_user()
        self._lines: asyncio.Queue[str | None] | None = None
        self.banner = "forgebot console: type 'help', Ctrl-D or Ctrl-C to leave."
        self._ready = asyncio.Event()
        self._ready.set()  # a terminal is always there
        # What the bot says unasked (a followed log, the SAL) is printed here too.
        bot.attach(self)

    @property
    def ready(self) -> asyncio.Event:
        return self._ready

    def http_routes(self) -> list[Route]:
        return []

    async def _read_line(self) -> str | None:
        if self._lines is None:
            self._lines = asyncio.Queue()
            loop = asyncio.get_running_loop()
            # A daemon thread, not the loop's executor: Ctrl-C must end the console at once,
            # and asyncio.run waits for executor threads, which sit in input() until Enter.
            threading.Thread(target=self._reader, args=(loop, self._lines), daemon=True,
                             name="console-stdin").start()  # fmt: skip
        return await self._lines.get()

    def _reader(self, loop: asyncio.AbstractEventLoop, lines: asyncio.Queue[str | None]) -> None:
        while True:
            line: str | None
            if self.interactive:
                try:
                    line = input(f"{self.identity.display}> ")
                except EOFError:
                    line = None
            else:
                line = self.stdin.readline() or None
            try:
                loop.call_soon_threadsafe(lines.put_nowait, line)
            except RuntimeError:  # the loop is closed: the console has ended
                return
            if line is None:
                return

    async def handle_line(self, line: str) -> list[str]:
        """The lines printed for one input line (none for a blank line)."""
        if not line.strip():
            return []
        if self.local_commands is not None:
            answered = self.local_commands(line)
            if answered is not None:
                return answered
        # --as names the account; the audit log also names who typed it
        extra = {"operator": self.operator}
        message = Message("console", self.identity, line.rstrip("\n"), direct=True, extra=extra)
        reply = await self.bot.handle(message)
        if reply is None:
            return []
        lines = render_console(reply, colour=self.colour)
        if reply.aside is not None:  # the console is a direct conversation: say it after
            lines += ["(only for you)", *render_console(reply.aside, colour=self.colour)]
        return lines

    async def run(self) -> None:
        if self.interactive:
            self._write([self.banner])
        while (line := await self._read_line()) is not None:
            if line.strip() in {"quit", "exit"} and self.interactive:
                break
            self._write(await self.handle_line(line))

    async def send(self, destination: str, reply: Reply) -> None:
        self._write([f"[{destination}]", *render_console(reply, colour=self.colour)])

    async def send_direct(self, user_id: str, reply: Reply) -> None:
        self._write([f"[to {user_id}]", *render_console(reply, colour=self.colour)])

    def _write(self, lines: list[str]) -> None:
        if lines:
            self.stdout.write("\n".join(lines) + "\n")
            self.stdout.flush()
