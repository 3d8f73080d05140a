"""The repository inspector: what the build service will make of a repository.

Pure: it reads a :class:`~bot.migration.snapshot.Snapshot`; :mod:`bot.repos`
fetches one from GitLab or a local checkout.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.migration import detect, findings, grid_code
from bot.migration.model import Note, Severity
from bot.migration.procfile import ProcfileEntry
from bot.migration.procfile import parse as parse_procfile
from bot.migration.snapshot import RepoSource, Snapshot
from bot.migration.web import WebApp, find_web_app

# root files the planner may extend, so it needs their current text
ROOT_TEXTS = (
    "requirements.txt",
    "setup.py",
    "pyproject.toml",
    "Aptfile",
    "Procfile",
    "composer.json",
    "jobs.yaml",
    ".jsubrc",
    "crontab",
    "crontab.txt",
    "crontab.tools",
)


@dataclass(frozen=True)
class RepoReport:
    source: RepoSource
    language: str | None
    buildpack: str | None
    detected: tuple[str, ...]
    package_manager: str | None
    version: str | None
    version_source: str | None
    procfile: tuple[ProcfileEntry, ...] | None
    aptfile: tuple[str, ...] | None
    apt_needed: tuple[tuple[str, str], ...]
    php_extensions: tuple[str, ...]
    web: WebApp | None
    jobs_yaml: str | None
    notes: tuple[Note, ...]
    paths: tuple[str, ...] = ()
    executable: frozenset[str] = frozenset()
    scripts: dict[str, str] = field(default_factory=dict)
    root_texts: dict[str, str] = field(default_factory=dict)

    def has(self, path: str) -> bool:
        return path in self.paths


def inspect_snapshot(snapshot: Snapshot, *, tool: str = "") -> RepoReport:
    found = detect.detect(snapshot)
    notes: list[Note] = list(found.notes)
    if found.language is None:
        notes.append(
            Note(
                "unknown-language",
                "no buildpack recognises this repository: add the dependency file of its "
                "language (requirements.txt, composer.json, package.json, ...)",
                Severity.WARNING,
            )
        )
    procfile_text = snapshot.text("Procfile")
    aptfile_text = snapshot.text("Aptfile")
    web = find_web_app(snapshot, found.language)
    if web is not None:
        notes.extend(web.notes)
    if snapshot.truncated:
        notes.append(
            Note(
                "large-repository",
                f"the repository is large: I looked at {len(snapshot.paths)} files and read "
                f"{len(snapshot.contents)} of them, so the plan may miss something",
                Severity.WARNING,
            )
        )
    notes.extend(findings.home_and_storage(snapshot))
    notes.extend(findings.layout(snapshot, tool))
    notes.extend(grid_code.grid_runtime(snapshot))
    notes.extend(grid_code.cgi_site(snapshot))
    notes.extend(grid_code.nested_apps(snapshot))
    extensions = tuple(findings.php_extensions(snapshot)) if found.language == "php" else ()
    scripts = {
        path: text
        for path, text in snapshot.contents.items()
        if text.startswith("#!") or "\n#$" in text[:2000]
    }
    return RepoReport(
        source=snapshot.source,
        language=found.language,
        buildpack=found.buildpack,
        detected=found.detected,
        package_manager=found.package_manager,
        version=found.version,
        version_source=found.version_source,
        procfile=parse_procfile(procfile_text) if procfile_text is not None else None,
        aptfile=_aptfile(aptfile_text) if aptfile_text is not None else None,
        apt_needed=tuple(findings.apt_packages(snapshot)),
        php_extensions=extensions,
        web=web,
        jobs_yaml=snapshot.text("jobs.yaml"),
        notes=tuple(notes),
        paths=snapshot.paths,
        executable=snapshot.executable,
        scripts=scripts,
        root_texts={p: t for p, t in snapshot.contents.items() if p in ROOT_TEXTS},
    )


def _aptfile(text: str) -> tuple[str, ...]:
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return tuple(line for line in lines if line)
