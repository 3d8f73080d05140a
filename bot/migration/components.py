"""The plan as a ``toolforge.yaml`` for the components API (an alternative to jobs.yaml).

One file describes the build and every job on the built image: the first
component builds the image, the others reuse it. Jobs that stay on a pre-built
image cannot be components (a component is always built) and stay in
jobs.yaml. Shapes: ``ToolConfig`` ``v1beta1`` of the components API.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.migration.jobsyaml import quoted, scalar
from bot.migration.jobsyaml import render as render_jobs
from bot.migration.model import Job
from bot.migration.plan_files import FileSpec
from bot.migration.plan_jobs import JobPlanner

CONFIG_VERSION = "v1beta1"
WEB_PORT = 8000


def render(jobs: Sequence[Job], *, repository: str, ref: str, web_mount: str | None,
           web: bool, header: str = "") -> str:  # fmt: skip
    """``toolforge.yaml`` for the built ``jobs`` (and the web service when ``web``)."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    lines += [f"config_version: {CONFIG_VERSION}", "components:"]
    first: str | None = None
    components: list[tuple[str, list[tuple[str, str]], str]] = []
    if web:
        run = [("command", "web"), ("port", str(WEB_PORT)), ("publish", quoted("/"))]
        if web_mount:
            run.append(("mount", web_mount))
        components.append(("web", run, "continuous"))
    for job in jobs:
        if job.kind == "scheduled" and not job.schedule:
            continue
        run = [("command", scalar(job.command))]
        if job.schedule:
            run.append(("schedule", quoted(job.schedule)))
        optional = (("memory", job.mem), ("cpu", job.cpu), ("emails", job.emails),
                    ("mount", job.mount), ("filelog", "true" if job.filelog else None),
                    ("filelog_stdout", job.filelog_stdout), ("filelog_stderr", job.filelog_stderr),
                    ("retry", str(job.retry) if job.retry else None),
                    ("timeout", str(job.timeout) if job.timeout else None))  # fmt: skip
        run += [(key, scalar(value)) for key, value in optional if value]
        if job.port:
            run.append(("port", str(job.port)))
        if job.publish:
            run.append(("publish", quoted("/")))
        components.append((job.name, run, job.kind))
    for name, run, kind in components:
        lines.append(f"  {scalar(name)}:")
        lines.append(f"    component_type: {kind}")
        lines.append("    build:")
        if first is None:
            first = name
            lines.append(f"      repository: {scalar(repository)}")
            lines.append(f"      ref: {scalar(ref or 'main')}")
        else:
            lines.append(f"      reuse_from: {scalar(first)}")
        lines.append("    run:")
        lines.extend(f"      {key}: {value}" for key, value in run)
    return "\n".join(lines) + "\n"


def as_components(
    tool: str,
    planner: JobPlanner,
    files: list[FileSpec],
    steps: tuple[str, ...],
    clone_url: str,
    ref: str,
    web: bool,
    jobs_yaml: str,
) -> tuple[list[FileSpec], tuple[str, ...], str | None]:
    """The planned files and steps with a toolforge.yaml in place of jobs.yaml and the
    separate build, web service and jobs steps."""
    built = [j for j in planner.jobs if j.image == planner.image]
    kept = [j for j in planner.jobs if j.image != planner.image]
    header = (
        f"Build and run of the tool {tool} for the components API, written by forgebot.\n"
        "Loaded as the tool's config, then deployed: builds the image, starts every part."
    )
    text = render(built, repository=clone_url, ref=ref, web=web, header=header,
                             web_mount="all" if planner.web_needs_nfs else None)  # fmt: skip
    out = [f for f in files if f[0] != "jobs.yaml"]
    out.append(("toolforge.yaml", text, "create", "build and jobs for the components API"))
    jobs_command = None
    if kept:
        kept_yaml = render_jobs(kept, f"Jobs of the tool {tool} that stay on pre-built images.")
        out.append(("jobs.yaml", kept_yaml, "create", "jobs on pre-built images"))
        jobs_command = "toolforge jobs load jobs.yaml"
    api = f"/components/v1/tool/{tool}"
    new_steps = [steps[0]]
    new_steps += [s for s in steps if s.startswith("toolforge envvars")]
    if web:
        new_steps.append("webservice stop")
    new_steps.append(f"load toolforge.yaml as the tool's config (POST {api}/config)")
    new_steps.append(f"deploy it (POST {api}/deployment): builds the image and starts every part")
    if jobs_command:
        new_steps.append(jobs_command)
    new_steps += [s for s in steps if s.startswith("toolforge jobs delete")]
    return out, tuple(new_steps), jobs_command
