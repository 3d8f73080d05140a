"""What the inspector reads from a repository: the file list and a bounded set of contents.

A :class:`Snapshot` is plain data, so the analysis in :mod:`bot.migration.inspect`
is pure and the same for a GitLab project and a local checkout.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

MAX_FILE_BYTES = 256 * 1024
MAX_SOURCE_FILES = 80
SKIP_DIRS = {".git", "node_modules", "vendor", "__pycache__", ".venv", "venv", "env", ".tox",
             "target", "build", "dist", ".mypy_cache", ".pytest_cache"}  # fmt: skip
# Files read wherever they are in the tree (by basename) or at the root.
KNOWN_NAMES = {
    "Procfile", "Aptfile", "requirements.txt", "poetry.lock", "uv.lock", "pyproject.toml",
    "setup.py", "setup.cfg", "Pipfile", ".python-version", "runtime.txt", "package.json",
    "composer.json", "Gemfile", ".ruby-version", "go.mod", "pom.xml", "build.gradle",
    "build.gradle.kts", "system.properties", "build.sbt", "Cargo.toml", "jobs.yaml",
    "service.template", "uwsgi.ini", ".lighttpd.conf", "user-config.py", "manage.py",
    "toolforge.yaml", ".jsubrc", "crontab", "crontab.txt", "crontab.tools",
}  # fmt: skip
SOURCE_SUFFIXES = (".py", ".php", ".js", ".mjs", ".ts", ".sh", ".bash", ".pl", ".rb", ".go",
                   ".java", ".rs", ".tcl", ".ini", ".cfg", ".conf")  # fmt: skip


@dataclass(frozen=True, slots=True)
class RepoSource:
    """Where a snapshot came from. ``clone_url`` is what ``toolforge build start`` needs."""

    location: str
    kind: str  # "gitlab" or "local"
    ref: str = ""
    web_url: str = ""
    clone_url: str = ""
    project_path: str = ""
    gitlab_url: str = ""
    visibility: str = ""  # public / internal / private; "" when unknown (local)
    default_branch: str = ""


@dataclass(frozen=True)
class Snapshot:
    source: RepoSource
    paths: tuple[str, ...]
    contents: dict[str, str] = field(default_factory=dict)
    executable: frozenset[str] = frozenset()
    truncated: bool = False  # the reader stopped at its request budget

    def has(self, path: str) -> bool:
        return path in self.contents or path in self.paths

    def text(self, path: str) -> str | None:
        return self.contents.get(path)

    def dirs(self) -> set[str]:
        out: set[str] = set()
        for path in self.paths:
            parts = path.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                out.add("/".join(parts[:i]))
        return out


# Test code does not run on Toolforge: what it imports or calls needs no Aptfile.
TEST_DIRS = {"tests", "test", "spec", "__tests__"}


def _is_test_code(path: str, name: str) -> bool:
    if any(part in TEST_DIRS for part in path.split("/")[:-1]):
        return True
    stem = name.rsplit(".", 1)[0]
    return name.endswith(SOURCE_SUFFIXES) and (
        stem.startswith("test_") or stem.endswith(("_test", ".test", ".spec"))
    )


def select(paths: Iterable[str]) -> list[str]:
    """Which files to read: every known file, then source files by depth, up to a cap."""
    chosen: list[str] = []
    sources: list[str] = []
    for path in paths:
        if any(part in SKIP_DIRS for part in path.split("/")[:-1]):
            continue
        name = path.rsplit("/", 1)[-1]
        if _is_test_code(path, name):
            continue
        if name in KNOWN_NAMES or name.endswith((".csproj", ".sln", ".fsproj")):
            chosen.append(path)
        elif name.endswith(SOURCE_SUFFIXES) or ("/" not in path and "." not in name):
            sources.append(path)
    sources.sort(key=lambda p: (p.count("/"), p))
    return chosen + sources[:MAX_SOURCE_FILES]


def decode(data: bytes) -> str | None:
    """Text of a file, or ``None`` for binary or oversized content."""
    if len(data) > MAX_FILE_BYTES or b"\0" in data[:4096]:
        return None
    return data.decode("utf-8", errors="replace")
