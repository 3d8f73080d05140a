"""Ctrl-C at the console's prompt ends it without waiting for another Enter."""

from __future__ import annotations

import os
import pty
import select
import signal
import sys
import time
from pathlib import Path

import pytest

PROMPT = b"alice> "
# Generous: a loaded machine starts the sandbox slowly; before the fix it never exited.
STARTUP, EXIT = 90.0, 30.0


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_ctrl_c_at_the_prompt_ends_the_console(tmp_path: Path) -> None:
    forgebot = str(Path(sys.executable).parent / "forgebot")
    pid, fd = pty.fork()
    if pid == 0:  # the child: a console on a terminal, as a person runs it
        os.chdir(tmp_path)
        os.execv(forgebot, [forgebot, "console", "--sandbox", "--as", "alice"])
    try:
        seen = b""
        deadline = time.monotonic() + STARTUP
        while PROMPT not in seen and time.monotonic() < deadline:
            if select.select([fd], [], [], 0.5)[0]:
                seen += os.read(fd, 4096)
        assert PROMPT in seen, seen.decode(errors="replace")
        os.write(fd, b"\x03")  # the terminal turns it into SIGINT
        deadline = time.monotonic() + EXIT
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                assert os.waitstatus_to_exitcode(status) == 130
                return
            if select.select([fd], [], [], 0.2)[0]:
                try:
                    os.read(fd, 4096)
                except OSError:
                    pass
        pytest.fail(f"the console was still running {EXIT:.0f} s after Ctrl-C")
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(fd)
