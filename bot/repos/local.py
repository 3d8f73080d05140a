"""Reading a checkout on disk into a snapshot (blocking: run it in a thread).

Only the offline ``forgebot plan`` reads the disk; the chat never does.
"""

from __future__ import annotations

import os
from pathlib import Path

from bot.migration.snapshot import MAX_FILE_BYTES, SKIP_DIRS, RepoSource, Snapshot, decode, select


def read_local(root: str | os.PathLike[str]) -> Snapshot:
    """A snapshot of a checkout on disk (blocking: call it through ``asyncio.to_thread``)."""
    base = Path(root)
    paths: list[str] = []
    executable: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for filename in sorted(filenames):
            full = Path(dirpath) / filename
            relative = full.relative_to(base).as_posix()
            paths.append(relative)
            if os.access(full, os.X_OK):
                executable.add(relative)
    contents = {}
    for path in select(paths):
        data = _read_bounded(base / path)
        if data is not None:
            contents[path] = data
    source = RepoSource(location=str(base), kind="local")
    return Snapshot(source, tuple(paths), contents, frozenset(executable))


def _read_bounded(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None
    return decode(data)
