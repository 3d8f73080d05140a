"""How tests and benchmarks configure a bot on the sandbox (one place, not five)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.app import SANDBOX_DATA
from bot.config import (
    BotSettings,
    Config,
    DirectorySettings,
    GitLabSettings,
    StorageSettings,
    ToolforgeSettings,
)


def sandbox_config(
    toolforge_url: str,
    data: Path,
    *,
    timeout: float = 5.0,
    database_url: str = "",
    gitlab: GitLabSettings | None = None,
    **sections: Any,
) -> Config:
    """A bot's configuration: SQLite in ``data`` (or ``database_url``), the sandbox's
    directory, ``root-sre`` as admin; ``sections`` replace whole tables."""
    config = Config(
        bot=BotSettings(admins=("root-sre",)),
        storage=StorageSettings(
            url=database_url or f"sqlite:///{data / 'forgebot.sqlite3'}", data_dir=data
        ),
        toolforge=ToolforgeSettings(url=toolforge_url, timeout=timeout),
        directory=DirectorySettings(file=SANDBOX_DATA),
        gitlab=gitlab or GitLabSettings(),
    )
    return config.replace(**sections) if sections else config
