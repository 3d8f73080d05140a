"""Configuration: a TOML file for settings, the environment for secrets."""

from __future__ import annotations

from pathlib import Path

from bot.config import load_config


def test_defaults_need_no_file() -> None:
    config = load_config(None, env={})
    assert config.prefix == "!tf" and config.confirm_ttl_seconds == 120
    assert config.storage_url.endswith("data/forgebot.sqlite3")
    assert config.toolforge.url == "https://api.svc.tools.eqiad1.wikimedia.cloud:30003"


def test_file_settings_and_env_secrets(tmp_path: Path) -> None:
    path = tmp_path / "forgebot.toml"
    path.write_text(
        '[bot]\nprefix = "!bot"\nadmins = ["sre1"]\n'
        '[toolforge]\ntimeout = 3\n[toolforge.tools.mytool]\n'
        'cert_file = "c.crt"\nkey_file = "c.key"\n'
        '[directory]\nfile = "maintainers.toml"\n[gitlab]\nurl = "https://gitlab.example"\n'
        '[irc]\nchannels = ["#x"]\n',
        encoding="utf-8",
    )
    env = {
        "FORGEBOT_TOOLFORGE_TOKEN": "tok-123456",
        "FORGEBOT_GITLAB_TOKEN": "glpat-abcdefgh",
        "FORGEBOT_DATABASE_URL": "postgresql+psycopg://x@h/db",
        "TOOL_TOOLFORGE_API_URL": "https://api.example:30003",
    }
    config = load_config(path, env=env)
    assert config.prefix == "!bot" and config.admins == ("sre1",)
    assert config.toolforge.timeout == 3.0
    assert config.toolforge.url == "https://api.example:30003"
    assert config.toolforge.token == "tok-123456"
    assert config.toolforge.tool_certificates["mytool"].cert_file == "c.crt"
    assert config.directory_file == tmp_path / "maintainers.toml"
    assert config.storage_url == "postgresql+psycopg://x@h/db"
    assert config.gitlab_url == "https://gitlab.example"
    assert config.adapters == {"irc": {"channels": ["#x"]}}
    shown = repr(config)
    assert "tok-123456" not in shown and "glpat-abcdefgh" not in shown
