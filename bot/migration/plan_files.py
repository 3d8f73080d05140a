"""The files a plan adds to the repository, with the reason for each."""

from __future__ import annotations

import json

from bot.migration import jobsyaml, procfile
from bot.migration.inspect import RepoReport
from bot.migration.model import Note, Severity
from bot.migration.plan_jobs import JobPlanner

FileSpec = tuple[str, str, str, str]  # path, content, action, reason


def planned_files(
    tool: str, report: RepoReport | None, planner: JobPlanner, notes: list[Note]
) -> tuple[list[FileSpec], str]:
    files: list[FileSpec] = []
    texts = report.root_texts if report else {}
    paths = set(report.paths) if report else set()

    def action(path: str) -> str:
        return "update" if path in paths else "create"

    entries = tuple(planner.procfile.values())
    if any(e.new for e in entries):
        files.append(("Procfile", procfile.render(entries), action("Procfile"), "processes to run"))
    jobs_yaml = ""
    if planner.jobs:
        header = (
            f"Jobs of the tool {tool} on its build-service image, written by forgebot.\n"
            "Load (create or update) them with: toolforge jobs load jobs.yaml"
        )
        jobs_yaml = jobsyaml.render(planner.jobs, header)
        files.append(("jobs.yaml", jobs_yaml, action("jobs.yaml"), "job definitions"))
    if report is None:
        return files, jobs_yaml
    apt = _aptfile(report, planner, texts, notes)
    if apt:
        files.append(("Aptfile", apt, action("Aptfile"), "system packages from Ubuntu"))
    if report.language == "python" and report.version_source != ".python-version":
        version = planner.runtime_version or ""
        files.append((".python-version", f"{version}\n", "create", "pins the Python version"))
        notes.append(
            Note(
                "python-version", f"Python {version} is pinned in .python-version", Severity.INFO
            )  # fmt: skip
        )
    if planner.extra_requirements:
        current = texts.get("requirements.txt", "")
        if current and not current.endswith("\n"):
            current += "\n"
        added = "".join(f"{name}\n" for name in planner.extra_requirements)
        files.append(("requirements.txt", current + added, action("requirements.txt"),
                      "the web server"))  # fmt: skip
    if report.language == "php":
        _composer(report, files, notes)
    return files, jobs_yaml


def _aptfile(
    report: RepoReport, planner: JobPlanner, texts: dict[str, str], notes: list[Note]
) -> str:
    existing = list(report.aptfile or ())
    wanted = dict(report.apt_needed)
    for package, why in planner.apt_extra.items():
        wanted.setdefault(package, why)
    new = [(p, why) for p, why in sorted(wanted.items()) if p not in existing]
    for package, why in new:
        notes.append(Note("aptfile", f"Aptfile: {package} ({why})", Severity.INFO))
    if not new:
        return ""
    current = texts.get("Aptfile", "")
    if current and not current.endswith("\n"):
        current += "\n"
    return current + "".join(f"{p}\n" for p, _ in new)


def _composer(
    report: RepoReport, files: list[tuple[str, str, str, str]], notes: list[Note]
) -> None:
    extensions = report.php_extensions
    if "composer.json" not in report.paths:
        require = {f"ext-{ext}": "*" for ext in extensions}
        content = json.dumps({"require": require} if require else {}, indent=4) + "\n"
        files.append(("composer.json", content, "create", "lets the PHP buildpack detect the app"))
        if require:
            notes.append(
                Note(
                    "php-extensions",
                    "run 'composer update' and commit composer.lock: the "
                    f"build needs it for {', '.join(sorted(require))}",
                    Severity.WARNING,
                )  # fmt: skip
            )
        return
    composer = report.root_texts.get("composer.json", "")
    missing = [ext for ext in extensions if f'"ext-{ext}"' not in composer]
    if missing:
        wanted = ", ".join(f'"ext-{e}": "*"' for e in missing)
        notes.append(
            Note(
                "php-extensions",
                f"the code uses {', '.join(missing)}: add {wanted} to "
                "composer.json require and update composer.lock",
                Severity.WARNING,
            )  # fmt: skip
        )
