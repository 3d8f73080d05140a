"""Who maintains which tool: the maintainer directory.

Production answers from LDAP (group ``tools.<tool>``); the sandbox and
self-hosted setups answer from a TOML file. Both speak in Wikimedia
developer account names (LDAP shell names), never in chat identities.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot.errors import UnknownTool
from bot.text import quote_user

# Toolforge tool names: lowercase letters, digits, '-', '_' and '.'; short.
TOOL_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,51}$")


class MaintainerDirectory(Protocol):
    async def tool_names(self) -> list[str]: ...

    async def maintainers(self, tool: str) -> frozenset[str]:
        """The tool's maintainers; raises :class:`UnknownTool` if there is no such tool."""
        ...

    async def tools_of(self, account: str) -> list[str]: ...

    async def account_for_email(self, email: str) -> str | None: ...


async def require_tool(directory: MaintainerDirectory, tool: str) -> frozenset[str]:
    """The maintainers of ``tool``, or an :class:`UnknownTool` that suggests a near name."""
    if not TOOL_NAME.fullmatch(tool):
        raise UnknownTool(
            f"{quote_user(tool)} is not a Toolforge tool name "
            "(lowercase letters, digits, '-', '_' and '.')"
        )
    try:
        return await directory.maintainers(tool)
    except UnknownTool:
        near = difflib.get_close_matches(tool, await directory.tool_names(), n=1)
        hint = f"; did you mean {near[0]}?" if near else ""
        raise UnknownTool(f"there is no tool named {quote_user(tool)}{hint}") from None


@dataclass(frozen=True)
class _Entry:
    maintainers: frozenset[str]


class FileDirectory:
    """Maintainers from a TOML file: ``[tools.<name>] maintainers = [...]`` and
    ``[accounts.<name>] email = "..."``. Read once; the file is small."""

    def __init__(self, path: Path) -> None:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        self._tools = {
            name: _Entry(frozenset(str(m) for m in table.get("maintainers", ())))
            for name, table in data.get("tools", {}).items()
        }
        self._emails = {
            str(table["email"]).lower(): name
            for name, table in data.get("accounts", {}).items()
            if table.get("email")
        }

    async def tool_names(self) -> list[str]:
        return sorted(self._tools)

    async def maintainers(self, tool: str) -> frozenset[str]:
        entry = self._tools.get(tool)
        if entry is None:
            raise UnknownTool(f"there is no tool named {quote_user(tool)}")
        return entry.maintainers

    async def tools_of(self, account: str) -> list[str]:
        return sorted(name for name, e in self._tools.items() if account in e.maintainers)

    async def account_for_email(self, email: str) -> str | None:
        return self._emails.get(email.lower())
