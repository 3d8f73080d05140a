"""Procfiles: ``process-type: command`` lines in the repository root."""

from __future__ import annotations

import re
from dataclasses import dataclass

_LINE = re.compile(r"^([A-Za-z0-9_-]+)\s*:\s*(.*?)\s*$")


@dataclass(frozen=True, slots=True)
class ProcfileEntry:
    name: str
    command: str
    new: bool = True


def parse(text: str) -> tuple[ProcfileEntry, ...]:
    entries: dict[str, ProcfileEntry] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if match and match.group(2):
            entries[match.group(1)] = ProcfileEntry(match.group(1), match.group(2), new=False)
    return tuple(entries.values())


def render(entries: tuple[ProcfileEntry, ...]) -> str:
    ordered = sorted(entries, key=lambda e: (e.name != "web",))
    return "".join(f"{e.name}: {e.command}\n" for e in ordered)
