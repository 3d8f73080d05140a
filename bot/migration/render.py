"""A plan as neutral reply parts (for chat and the CLI) and as stable JSON."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from bot.migration.model import Job
from bot.migration.plan import SCHEMA, Plan, Problem
from bot.redact import redact
from bot.reply import Badge, Bullets, Code, Inline, Link, Part, Reply, Strong, Text, Tone

_TONES = {"warning": Tone.WARN, "info": Tone.INFO}
_JOB_FIELDS = (
    "name", "command", "kind", "image", "schedule", "mem", "cpu", "emails", "retry", "timeout",
    "mount", "filelog", "filelog_stdout", "filelog_stderr", "port", "replicas",
    "health_check_http", "health_check_script", "wait",
)  # fmt: skip


def plan_reply(plan: Plan, *, private: bool = False, internals: bool = True) -> Reply:
    """The whole plan. Without ``internals`` (the speaker does not maintain the tool):
    no file contents, command lines or envvar names, only what anyone may see."""
    if not internals:
        return _outline(plan, private)
    parts: list[Part] = [
        Text.of(
            "Migration plan for ",
            Strong(plan.tool),
            " to the build service image ",
            Strong(plan.image),
        ),  # fmt: skip
        Text.of(*_detected(plan)),
    ]
    for planned in plan.files:
        parts.append(Text.of(f"{planned.path} ({planned.action}: {planned.reason})"))
        parts.append(Code(redact(planned.content), _language(planned.path)))
    if plan.envvars:
        parts.append(Text.of("Environment variables to create:"))
        parts.append(
            Bullets(
                tuple(
                    (
                        Strong(e.name),
                        f" ({e.reason})" + ("; value to be given" if e.value is None else ""),
                    )
                    for e in plan.envvars
                )
            )
        )
    parts.append(Text.of("Steps, in order:"))
    parts.append(
        Code(redact("\n".join(f"{i}. {step}" for i, step in enumerate(plan.steps, 1))))
    )
    if plan.problems:
        warnings = len(plan.warnings)
        parts.append(Text.of(f"Checklist ({warnings} to act on, "
                             f"{len(plan.problems) - warnings} for information):"))  # fmt: skip
        parts.append(Bullets(tuple(_problem(p) for p in plan.problems)))
    summary = (
        f"plan for {plan.tool}: {len(plan.files)} files, {len(plan.jobs)} jobs, "
        f"{len(plan.warnings)} warnings"
    )
    return Reply(tuple(parts), private=private, summary=summary)


def _outline(plan: Plan, private: bool) -> Reply:
    parts: list[Part] = [
        Text.of("Migration plan for ", Strong(plan.tool), " to the build service image ",
                Strong(plan.image)),  # fmt: skip
        Text.of(*_detected(plan)),
    ]
    if plan.files:
        parts.append(Text.of("Files to add: " + ", ".join(f.path for f in plan.files)))
    jobs = (*plan.jobs, *plan.on_demand)
    if jobs:
        parts.append(Bullets(tuple(
            (Strong(j.name), f" {j.kind}" + (f", {j.schedule}" if j.schedule else "")
             + f", on {j.image}") for j in jobs
        )))  # fmt: skip
    if plan.envvars:
        parts.append(Text.of(f"{len(plan.envvars)} environment variables to create."))
    parts.append(Text.of(
        "File contents, command lines, envvar names and the steps are shown to the tool's "
        "maintainers."
    ))  # fmt: skip
    summary = f"plan for {plan.tool}: {len(plan.files)} files, {len(plan.jobs)} jobs"
    return Reply(tuple(parts), private=private, summary=summary)


def problem_items(problems: tuple[Problem, ...]) -> Bullets:
    return Bullets(tuple(_problem(p) for p in problems))


def _detected(plan: Plan) -> list[Inline]:
    spans: list[Inline] = ["Repository: ", plan.repository or "(none given)"]
    if plan.language:
        version = f" {plan.runtime_version}" if plan.runtime_version else ""
        spans.append(f"; builds as {plan.language}{version} ({plan.buildpack})")
    elif plan.repository:
        spans.append("; no buildpack detects it yet")
    return spans


def _problem(problem: Problem) -> tuple[Inline, ...]:
    spans: list[Inline] = [Badge(problem.severity, _TONES.get(problem.severity, Tone.INFO)), " "]
    if problem.job:
        spans.append(Strong(problem.job))
        spans.append(": ")
    spans.append(problem.message)
    spans.append(" ")
    spans.append(Link("guide", problem.guide))
    return tuple(spans)


def _language(path: str) -> str:
    if path.endswith((".yaml", ".yml")):
        return "yaml"
    if path.endswith(".json"):
        return "json"
    return ""


def plan_json(plan: Plan) -> dict[str, Any]:
    """The plan as plain data; keys and order never depend on the input."""
    return {
        "schema": SCHEMA,
        "tool": plan.tool,
        "repository": {"location": plan.repository, "clone_url": plan.clone_url, "ref": plan.ref},
        "detected": {
            "language": plan.language,
            "buildpack": plan.buildpack,
            "runtime_version": plan.runtime_version,
        },
        "image": plan.image,
        "procfile": [{"name": e.name, "command": e.command, "new": e.new} for e in plan.procfile],
        "jobs": [_job(j) for j in plan.jobs],
        "on_demand_jobs": [_job(j) for j in plan.on_demand],
        "files": [asdict(f) for f in plan.files],
        "envvars": [{"name": e.name, "value": e.value, "reason": e.reason} for e in plan.envvars],
        "commands": {
            "build": plan.build_command,
            "webservice": plan.webservice_command,
            "jobs": plan.jobs_command,
        },
        "delete_jobs": list(plan.delete_jobs),
        "steps": list(plan.steps),
        "problems": [asdict(p) for p in plan.problems],
    }


def plan_json_text(plan: Plan) -> str:
    return json.dumps(plan_json(plan), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _job(job: Job) -> dict[str, Any]:
    return {name: getattr(job, name) for name in _JOB_FIELDS}
