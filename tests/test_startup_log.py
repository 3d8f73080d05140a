"""What `forgebot run` logs about itself: where it started from, no secret; JSON on request."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

from adapters import config_models
from bot.config import load_config
from bot.process_log import JsonFormatter
from bot.startup_summary import summary

ROOT = Path(__file__).resolve().parents[1]
SECRETS = {
    "FORGEBOT_IRC_PASSWORD": "irc-pass-6789",
    "FORGEBOT_TOOLFORGE_TOKEN": "tf-token-6789",
    "FORGEBOT_LDAP_BIND_PASSWORD": "ldap-pass-6789",
}


def test_the_summary_names_the_file_the_settings_and_the_environment_without_secrets(
    tmp_path: Path,
) -> None:
    env = {
        **SECRETS,
        "TOOL_DATA_DIR": str(tmp_path),
        "PORT": "8000",
        "FORGEBOT_DATABASE_URL": "mysql+pymysql://s5:db-pass-6789@tools.db.svc/s5__forgebot",
        "FORGEBOT_TYPO": "maybe-secret-6789",
        "HOME": "/",
    }
    config = load_config(ROOT / "forgebot.toml", env, adapters=config_models())
    text = "\n".join(summary(config, ROOT / "forgebot.toml", env))
    assert text.splitlines()[0] == f"configuration: {ROOT / 'forgebot.toml'}"
    assert "[http] host = 0.0.0.0, port = 8000" in text
    assert "[ldap] (the defaults)" in text and "[log] format = json" in text
    assert f"PORT=8000, TOOL_DATA_DIR={tmp_path}" in text
    for name in (*SECRETS, "FORGEBOT_TYPO"):
        assert f"{name} (set)" in text
    assert "tools.db.svc/s5__forgebot" in text and "HOME" not in text
    assert "6789" not in text  # no secret value, nor the unknown variable's


def test_json_lines_keep_a_traceback_on_one_line() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("forgebot", logging.ERROR, __file__, 1, "ref %s failed",
                                   ("AB12",), sys.exc_info())  # fmt: skip
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert (entry["level"], entry["logger"], entry["message"]) == ("ERROR", "forgebot",
                                                                    "ref AB12 failed")  # fmt: skip
    assert "ValueError: boom" in entry["exception"] and entry["time"].endswith("+00:00")


def test_run_that_fails_says_so_in_one_json_record(tmp_path: Path) -> None:
    config = tmp_path / "forgebot.toml"
    tables = '[ldap]\n\n[irc]\nserver = "127.0.0.1"\nchannels = ["#c"]\n'
    config.write_text(tables, encoding="utf-8")
    env = {
        "PATH": "/usr/bin:/bin",
        "FORGEBOT_LOG_FORMAT": "json",
        "FORGEBOT_IRC_PASSWORD": "irc-pass-6789",
        "FORGEBOT_DATABASE_URL": "mysql+pymysql://nobody:db-pass-6789@127.0.0.1:1/none",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--config", str(config)],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1
    records = [json.loads(line) for line in done.stderr.splitlines()]
    assert records[0]["message"] == f"configuration: {config}"
    last = records[-1]
    assert last["level"] == "ERROR"
    assert last["message"] == "forgebot run stopped on an unexpected error"
    assert "OperationalError" in last["exception"]
    assert "6789" not in done.stderr
