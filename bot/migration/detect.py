"""Which buildpack will build a repository, and the runtime version it will use.

Order follows the Heroku builder's detection groups (first match wins;
Node.js last, because many projects carry a package.json for their assets).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.jsontext import parse_json
from bot.migration.model import Note, Severity
from bot.migration.snapshot import Snapshot

PYTHON_MARKERS = (
    "requirements.txt",
    "poetry.lock",
    "uv.lock",
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "Pipfile",
    ".python-version",
    "runtime.txt",
    "main.py",
    "app.py",
    "manage.py",
)
PYTHON_MANAGERS = {"requirements.txt": "pip", "poetry.lock": "poetry", "uv.lock": "uv"}
DEFAULT_PYTHON = "3.13"

# (language, buildpack, marker files at the repository root)
GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("python", "heroku/python", PYTHON_MARKERS),
    ("ruby", "heroku/ruby", ("Gemfile",)),
    ("java", "heroku/java", ("pom.xml", "build.gradle", "build.gradle.kts", "gradlew")),
    ("scala", "heroku/scala", ("build.sbt",)),
    ("go", "heroku/go", ("go.mod",)),
    ("php", "heroku/php", ("composer.json",)),
    ("dotnet", "heroku/dotnet", ()),
    ("nodejs", "heroku/nodejs", ("package.json",)),
    ("rust", "toolforge rust buildpack", ("Cargo.toml",)),
)


@dataclass(frozen=True, slots=True)
class Detection:
    language: str | None
    buildpack: str | None
    detected: tuple[str, ...]
    package_manager: str | None
    version: str | None
    version_source: str | None
    notes: tuple[Note, ...]


def root_files(snapshot: Snapshot) -> set[str]:
    return {p for p in snapshot.paths if "/" not in p}


def detect(snapshot: Snapshot) -> Detection:
    root = root_files(snapshot)
    detected = []
    for language, _, markers in GROUPS:
        if language == "dotnet":
            if any(p.endswith((".csproj", ".sln", ".fsproj")) for p in root):
                detected.append(language)
        elif root & set(markers):
            detected.append(language)
    notes: list[Note] = []
    if not detected and ({"index.php", "public_html/index.php"} & set(snapshot.paths)):
        # a grid-era lighttpd tool: PHP files but no composer.json for the buildpack to detect
        notes.append(
            Note(
                "php-no-composer",
                "PHP files but no composer.json: the PHP buildpack only detects a repository "
                "with a composer.json",
                Severity.WARNING,
            )
        )
        detected.append("php")
    if not detected:
        return Detection(None, None, (), None, None, None, ())
    language = detected[0]
    buildpack = next(bp for lang, bp, _ in GROUPS if lang == language)
    others = [lang for lang in detected[1:] if lang != "nodejs"]
    if others:
        notes.append(
            Note(
                "multiple-languages",
                f"files for {', '.join(detected)} were found; the build uses {language} only",
                Severity.WARNING,
            )
        )
    manager, version, version_source = _language_details(language, snapshot, root, notes)
    return Detection(
        language, buildpack, tuple(detected), manager, version, version_source, tuple(notes)
    )


def _language_details(
    language: str, snapshot: Snapshot, root: set[str], notes: list[Note]
) -> tuple[str | None, str | None, str | None]:
    if language == "python":
        return _python(snapshot, root, notes)
    if language == "nodejs" or language == "php":
        return _manifest_version(language, snapshot, root, notes)
    if language == "go":
        match = re.search(r"^go\s+(\d+\.\d+(?:\.\d+)?)", snapshot.text("go.mod") or "", re.M)
        return "go modules", match.group(1) if match else None, "go.mod" if match else None
    if language == "java":
        props = snapshot.text("system.properties") or ""
        match = re.search(r"java\.runtime\.version\s*=\s*(\S+)", props)
        manager = "maven" if "pom.xml" in root else "gradle"
        return manager, match.group(1) if match else None, "system.properties" if match else None
    if language == "ruby":
        gemfile = snapshot.text("Gemfile") or ""
        match = re.search(r"^\s*ruby\s+['\"]([^'\"]+)['\"]", gemfile, re.M)
        return "bundler", match.group(1) if match else None, "Gemfile" if match else None
    return None, None, None


def _python(
    snapshot: Snapshot, root: set[str], notes: list[Note]
) -> tuple[str | None, str | None, str | None]:
    managers = [PYTHON_MANAGERS[f] for f in PYTHON_MANAGERS if f in root]
    manager = managers[0] if len(managers) == 1 else None
    if not managers:
        what = "a Pipfile" if "Pipfile" in root else "no requirements.txt, poetry.lock or uv.lock"
        notes.append(
            Note(
                "python-no-package-manager",
                f"the repository has {what}: the Python build needs exactly one of "
                "requirements.txt, poetry.lock or uv.lock",
                Severity.WARNING,
            )
        )
    elif len(managers) > 1:
        notes.append(
            Note(
                "python-several-package-managers",
                f"{' and '.join(managers)} files both present: keep exactly one",
                Severity.WARNING,
            )
        )
    pinned = (snapshot.text(".python-version") or "").strip().splitlines()
    if pinned and pinned[0].strip():
        return manager, pinned[0].strip(), ".python-version"
    runtime = (snapshot.text("runtime.txt") or "").strip()
    match = re.match(r"python-(\d+\.\d+)", runtime)
    if match:
        notes.append(
            Note(
                "python-runtime-txt",
                "runtime.txt is ignored by current Python buildpacks: the version moves to "
                ".python-version",
                Severity.WARNING,
                source="runtime.txt",
            )
        )
        return manager, match.group(1), "runtime.txt"
    return manager, None, None


def _manifest_version(
    language: str, snapshot: Snapshot, root: set[str], notes: list[Note]
) -> tuple[str | None, str | None, str | None]:
    manifest = "package.json" if language == "nodejs" else "composer.json"
    try:
        data = parse_json(snapshot.text(manifest) or "{}")
    except ValueError:
        notes.append(
            Note(
                "not-understood", f"{manifest} is not valid JSON", Severity.WARNING, source=manifest
            )
        )
        data = {}
    if not isinstance(data, dict):
        data = {}
    if language == "nodejs":
        version = _string_at(data, "engines", "node")
        lockfiles = {"package-lock.json": "npm", "yarn.lock": "yarn", "pnpm-lock.yaml": "pnpm"}
        manager = next((m for f, m in lockfiles.items() if f in root), None)
        if manager is None:
            notes.append(
                Note(
                    "node-lockfile",
                    "no package-lock.json, yarn.lock or pnpm-lock.yaml: "
                    "commit a lockfile so the build installs the same versions",
                    Severity.WARNING,
                )
            )
        if version is None:
            notes.append(
                Note(
                    "node-version",
                    "package.json has no engines.node: the build picks the newest Node.js LTS",
                    Severity.INFO,
                )
            )
        return manager, version, "package.json" if version else None
    version = _string_at(data, "require", "php")
    return "composer", version, "composer.json" if version else None


def _string_at(data: dict[str, Any], section: str, key: str) -> str | None:
    inner = data.get(section)
    value = inner.get(key) if isinstance(inner, dict) else None
    return value if isinstance(value, str) else None
