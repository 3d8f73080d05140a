"""Configuration: one TOML file plus environment variables for secrets.

Every setting has an embedded default so ``forgebot console --sandbox``
runs with no file at all. Secrets (API token, chat passwords) are read only
from the environment, as Toolforge envvars provide them.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

DEFAULT_TOOLFORGE_URL = "https://api.svc.tools.eqiad1.wikimedia.cloud:30003"


@dataclass(frozen=True)
class ToolCertificate:
    cert_file: str
    key_file: str


@dataclass(frozen=True)
class ToolforgeSettings:
    url: str = DEFAULT_TOOLFORGE_URL
    timeout: float = 10.0
    cert_file: str | None = None
    key_file: str | None = None
    ca_file: str | None = None
    token: str | None = field(default=None, repr=False)  # env FORGEBOT_TOOLFORGE_TOKEN
    tool_certificates: dict[str, ToolCertificate] = field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    bot_name: str = "forgebot"
    prefix: str = "!tf"
    admins: tuple[str, ...] = ()
    confirm_ttl_seconds: int = 120
    log_lines_default: int = 20
    log_lines_max: int = 200
    data_dir: Path = Path("data")
    database_url: str = ""
    toolforge: ToolforgeSettings = field(default_factory=ToolforgeSettings)
    directory_file: Path | None = None
    adapters: dict[str, dict[str, Any]] = field(default_factory=dict)
    gitlab_url: str = "https://gitlab.wikimedia.org"
    gitlab_token: str | None = field(default=None, repr=False)  # env FORGEBOT_GITLAB_TOKEN
    guides_url: str = ""  # where migration_guides/ is published; relative links if empty
    http_host: str = "127.0.0.1"
    http_port: int = 0  # 0: no HTTP server unless an adapter needs one

    @property
    def storage_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'forgebot.sqlite3'}"

    def with_changes(self, **changes: Any) -> Config:
        return replace(self, **changes)


def load_config(path: Path | None, env: Mapping[str, str] | None = None) -> Config:
    """Read ``path`` (if given) and apply environment overrides."""
    env = os.environ if env is None else env
    data: dict[str, Any] = {}
    if path is not None:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    bot = data.get("bot", {})
    storage = data.get("storage", {})
    tf = data.get("toolforge", {})
    directory = data.get("directory", {})
    http = data.get("http", {})
    gitlab = data.get("gitlab", {})
    migration = data.get("migration", {})
    base = path.parent if path is not None else Path.cwd()

    certs = {
        tool: ToolCertificate(str(t["cert_file"]), str(t["key_file"]))
        for tool, t in tf.get("tools", {}).items()
    }
    toolforge = ToolforgeSettings(
        url=env.get("TOOL_TOOLFORGE_API_URL") or tf.get("url", DEFAULT_TOOLFORGE_URL),
        timeout=float(tf.get("timeout", 10.0)),
        cert_file=tf.get("cert_file"),
        key_file=tf.get("key_file"),
        ca_file=tf.get("ca_file"),
        token=env.get("FORGEBOT_TOOLFORGE_TOKEN") or None,
        tool_certificates=certs,
    )
    data_dir = Path(env.get("FORGEBOT_DATA_DIR") or storage.get("data_dir", "data"))
    directory_file = directory.get("file")
    return Config(
        bot_name=bot.get("name", "forgebot"),
        prefix=bot.get("prefix", "!tf"),
        admins=tuple(bot.get("admins", ())),
        confirm_ttl_seconds=int(bot.get("confirm_ttl_seconds", 120)),
        log_lines_default=int(bot.get("log_lines_default", 20)),
        log_lines_max=int(bot.get("log_lines_max", 200)),
        data_dir=data_dir if data_dir.is_absolute() else base / data_dir,
        database_url=env.get("FORGEBOT_DATABASE_URL") or storage.get("url", ""),
        toolforge=toolforge,
        directory_file=(base / directory_file) if directory_file else None,
        adapters={k: data[k] for k in ("irc", "zulip", "slack") if k in data},
        gitlab_url=gitlab.get("url", "https://gitlab.wikimedia.org"),
        gitlab_token=env.get("FORGEBOT_GITLAB_TOKEN") or None,
        guides_url=migration.get("guides_url", ""),
        http_host=http.get("host", "127.0.0.1"),
        http_port=int(http.get("port", 0)),
    )
