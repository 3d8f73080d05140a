"""Who maintains which tool: the maintainer directory.

Production answers from LDAP (group ``tools.<tool>``, :mod:`bot.ldap_directory`);
the sandbox and self-hosted setups answer from a TOML file. Both speak in
Wikimedia developer account names (LDAP shell names), never in chat
identities. A disabled account maintains nothing: it is left out of every
answer about maintainers, and it cannot be linked.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from bot.errors import UnknownTool
from bot.text import quote_user

# Toolforge tool names: lowercase letters, digits, '-', '_' and '.'; short.
TOOL_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,51}$")
# Shell names of developer accounts (LDAP uid): what a link may point to.
ACCOUNT_NAME = re.compile(r"^[a-z_][a-z0-9_.-]{0,31}$")

# How an account is looked up: by its shell name, or by the developer account name (cn).
AccountAttribute = Literal["uid", "cn"]


@dataclass(frozen=True, slots=True)
class Account:
    """A developer account as the directory knows it."""

    name: str  # shell name (LDAP uid): what links and maintainer lists hold
    display: str = ""  # the developer account name (LDAP cn), often the wiki user name
    email: str | None = None
    disabled: bool = False


class MaintainerDirectory(Protocol):
    async def tool_names(self) -> list[str]: ...

    async def maintainers(self, tool: str) -> frozenset[str]:
        """The tool's maintainers whose accounts are enabled (possibly none).

        Raises :class:`UnknownTool` if there is no such tool, and
        :class:`bot.errors.DirectoryUnavailable` if the directory cannot say.
        """
        ...

    async def tools_of(self, account: str) -> list[str]: ...

    async def account_for_email(self, email: str) -> str | None:
        """The enabled account with exactly this email, if exactly one has it."""
        ...

    async def account(self, value: str, by: AccountAttribute = "uid") -> Account | None:
        """The account whose shell name (or developer account name) is ``value``."""
        ...

    async def admins(self) -> frozenset[str]:
        """Accounts the directory makes forgebot admins (Toolforge admins); often none."""
        ...


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
        near = difflib.get_close_matches(tool, await _names_or_none(directory), n=1)
        hint = f"; did you mean {near[0]}?" if near else ""
        raise UnknownTool(f"there is no tool named {quote_user(tool)}{hint}") from None


async def _names_or_none(directory: MaintainerDirectory) -> list[str]:
    """Tool names for a suggestion; a suggestion is not worth failing for."""
    from bot.errors import DirectoryUnavailable

    try:
        return await directory.tool_names()
    except DirectoryUnavailable:
        return []


@dataclass(frozen=True)
class _Entry:
    maintainers: frozenset[str]


class FileDirectory:
    """Maintainers from a TOML file: ``[tools.<name>] maintainers = [...]`` and
    ``[accounts.<name>]`` with ``email``, ``cn`` and ``disabled``. Read once; the
    file is small. An account is known when it has a table or maintains a tool."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        """From the file's tables, already parsed (:meth:`read` reads the file)."""
        tables: Mapping[str, Any] = data.get("accounts", {})
        self._tools = {
            name: _Entry(frozenset(str(m) for m in table.get("maintainers", ())))
            for name, table in data.get("tools", {}).items()
        }
        named = {m for entry in self._tools.values() for m in entry.maintainers}
        self._accounts = {
            name: Account(
                name=name,
                display=str(tables.get(name, {}).get("cn", name)),
                email=tables.get(name, {}).get("email") or None,
                disabled=bool(tables.get(name, {}).get("disabled", False)),
            )
            for name in sorted(named | set(tables))
        }

    @classmethod
    def read(cls, path: Path) -> FileDirectory:
        return cls(tomllib.loads(path.read_text(encoding="utf-8")))

    def _enabled(self, names: frozenset[str]) -> frozenset[str]:
        return frozenset(n for n in names if not self._accounts[n].disabled)

    async def tool_names(self) -> list[str]:
        return sorted(self._tools)

    async def maintainers(self, tool: str) -> frozenset[str]:
        entry = self._tools.get(tool)
        if entry is None:
            raise UnknownTool(f"there is no tool named {quote_user(tool)}")
        return self._enabled(entry.maintainers)

    async def tools_of(self, account: str) -> list[str]:
        return sorted(
            name for name, e in self._tools.items() if account in self._enabled(e.maintainers)
        )

    async def account_for_email(self, email: str) -> str | None:
        found = [
            a.name
            for a in self._accounts.values()
            if a.email and a.email.lower() == email.lower() and not a.disabled
        ]
        return found[0] if len(found) == 1 else None

    async def account(self, value: str, by: AccountAttribute = "uid") -> Account | None:
        if by == "uid":
            return self._accounts.get(value)
        found = [a for a in self._accounts.values() if a.display == value]
        return found[0] if len(found) == 1 else None

    async def admins(self) -> frozenset[str]:
        return frozenset()
