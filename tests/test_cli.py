"""The forgebot command as a user runs it: a piped console and identity links."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.app import SANDBOX_DATA
from bot.cli import main


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
        "console",
        "--sandbox",
        "--as",
        "bob",
        data=tmp_path,
        stdin="status sample-web\n\nstauts sample-web\nrestart sample-web\n",
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "sample-web: web service [running]" in out
    assert "error: unknown command 'stauts'; did you mean status?" in out
    assert "only maintainers of 'sample-web' may restart it" in out, "speaks as --as bob"
    assert "\x1b[" not in out, "no colour codes when stdout is not a terminal"
    assert (tmp_path / "forgebot.sqlite3").exists()


def test_links_are_added_listed_and_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # In-process: the same entry point as the console script, without a Python start-up each.
    monkeypatch.setenv("FORGEBOT_DATA_DIR", str(tmp_path))
    config = tmp_path / "forgebot.toml"
    config.write_text(f'[directory]\nfile = "{SANDBOX_DATA}"\n', encoding="utf-8")
    monkeypatch.setenv("FORGEBOT_CONFIG", str(config))

    def run(*args: str) -> tuple[int, str]:
        code = main(list(args))
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    assert run("link", "add", "irc:Alice-Libera", "alice")[0] == 0
    assert "irc:alice-libera\talice\tadmin" in run("link", "list")[1]
    assert run("link", "add", "alice", "alice")[0] == 2, "a chat key needs its platform"
    assert run("link", "add", "slack:not-an-id", "alice")[0] == 2
    code, said = run("link", "add", "zulip:12", "nobody")
    assert code == 2 and "there is no developer account 'nobody'" in said
    code, said = run("link", "add", "irc:ALICE-libera", "bob")
    assert code == 2 and "already linked to alice; add --replace" in said
    assert run("link", "add", "irc:alice-libera", "bob", "--replace")[0] == 0
    assert "irc:alice-libera\tbob" in run("link", "list")[1]
    assert run("link", "remove", "irc:alice-libera")[0] == 0
    assert "irc:alice-libera" not in run("link", "list")[1]
    assert run("link", "remove", "irc:alice-libera")[0] == 1
    assert "link.add" in run("audit")[1]
