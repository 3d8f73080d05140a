"""The forgebot command as a user runs it: a piped console and identity links."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def forgebot(
    *args: str, data: Path, stdin: str = "", timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FORGEBOT_DATA_DIR": str(data)}
    env.pop("FORGEBOT_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


def test_piped_console_answers_one_reply_per_line(tmp_path: Path) -> None:
    result = forgebot(
        "console", "--sandbox", data=tmp_path, stdin="status sample-web\n\nstauts sample-web\n"
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "sample-web: web service [running]" in out
    assert "error: unknown command 'stauts'; did you mean status?" in out
    assert "\x1b[" not in out, "no colour codes when stdout is not a terminal"
    assert (tmp_path / "forgebot.sqlite3").exists()


def test_console_speaks_as_the_chosen_account(tmp_path: Path) -> None:
    result = forgebot(
        "console", "--sandbox", "--as", "bob", data=tmp_path, stdin="restart sample-web\n"
    )
    assert "only maintainers of 'sample-web' may restart it" in result.stdout


def test_links_are_added_listed_and_removed(tmp_path: Path) -> None:
    added = forgebot("link", "add", "irc:alice-libera", "alice", data=tmp_path)
    assert added.returncode == 0, added.stderr
    listed = forgebot("link", "list", data=tmp_path)
    assert "irc:alice-libera\talice" in listed.stdout
    removed = forgebot("link", "remove", "irc:alice-libera", data=tmp_path)
    assert removed.returncode == 0
    assert "irc:alice-libera" not in forgebot("link", "list", data=tmp_path).stdout
    assert forgebot("link", "remove", "irc:alice-libera", data=tmp_path).returncode == 1
    audit = forgebot("audit", data=tmp_path)
    assert "link.add" in audit.stdout
