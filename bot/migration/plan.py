"""The planner: translation + repository report -> a migration plan.

A :class:`Plan` is everything needed to move a tool to the build service:
the files to commit (Procfile, jobs.yaml, Aptfile, .python-version, ...), the
commands to run in order, the jobs to delete afterwards and a checklist of
problems, each linked to a guide section. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.migration.components import as_components
from bot.migration.guides import guide_link
from bot.migration.inspect import RepoReport
from bot.migration.model import EnvVar, Job, Note, Severity, Translation
from bot.migration.plan_files import planned_files
from bot.migration.plan_jobs import JobPlanner
from bot.migration.procfile import ProcfileEntry

SCHEMA = "forgebot.migration-plan/1"
MAX_CONTINUOUS = 3
MAX_SCHEDULED = 50
WEB_PORT = 8000


@dataclass(frozen=True, slots=True)
class PlannedFile:
    path: str
    content: str
    action: str  # "create" or "update"
    reason: str


@dataclass(frozen=True, slots=True)
class Problem:
    id: str
    severity: str
    message: str
    guide: str
    job: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class Plan:
    tool: str
    repository: str
    clone_url: str
    ref: str
    language: str | None
    buildpack: str | None
    runtime_version: str | None
    image: str
    procfile: tuple[ProcfileEntry, ...]
    jobs: tuple[Job, ...]
    on_demand: tuple[Job, ...]
    jobs_yaml: str
    files: tuple[PlannedFile, ...]
    envvars: tuple[EnvVar, ...]
    build_command: str
    webservice_command: str | None
    jobs_command: str | None
    delete_jobs: tuple[str, ...]
    steps: tuple[str, ...]
    problems: tuple[Problem, ...]
    web_job: Job | None = None  # the classic web service, as a published job to create

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == Severity.WARNING.value)


def build_image(tool: str) -> str:
    return f"tool-{tool}/tool-{tool}:latest"


def make_plan(
    tool: str,
    report: RepoReport | None = None,
    translation: Translation | None = None,
    *,
    guide_base: str = "",
    components: bool = False,
) -> Plan:
    """The plan; ``components`` writes a toolforge.yaml for the components API
    instead of jobs.yaml and the separate build, web service and jobs steps."""
    translation = translation or Translation()
    notes: list[Note] = list(translation.notes) + list(report.notes if report else ())
    planner = JobPlanner(tool, report, notes)
    for job in translation.jobs:
        planner.add(job, running=job.name in translation.current_jobs)
    # a published job already is the web service: it moves like any job, no second one
    web = planner.add_web(translation.webservice) and not any(j.publish for j in planner.jobs)
    scheduled = [j for j in planner.jobs if j.kind == "scheduled"]
    continuous = [j for j in planner.jobs if j.kind == "continuous"]
    if len(continuous) + (1 if web else 0) > MAX_CONTINUOUS:
        notes.append(
            Note(
                "quota-continuous",
                f"{len(continuous)} continuous jobs{' and a webservice' if web else ''}: the "
                f"default quota allows {MAX_CONTINUOUS} together; merge some or ask for more",
            )
        )
    if len(scheduled) > MAX_SCHEDULED:
        notes.append(
            Note("quota-cron", f"{len(scheduled)} scheduled jobs: the default quota allows 50")
        )
    moved = {j.name for j in (*planner.jobs, *planner.on_demand) if j.image == planner.image}
    # an old image only matters for the jobs that stay on it
    notes = [n for n in notes if not (n.problem == "image-deprecated" and n.job in moved)]
    files, jobs_yaml = planned_files(tool, report, planner, notes)
    image = build_image(tool)
    repository, clone_url, ref, build = _build(tool, report, notes)
    webservice_command = None
    web_job = None
    if web:
        # the web service as a published continuous job of the jobs API
        mount = " --mount=all" if planner.web_needs_nfs else ""
        web_job = Job(
            "web", "web", kind="continuous", image=image, port=WEB_PORT, publish=True,
            mount="all" if planner.web_needs_nfs else None, source="web service",
        )  # fmt: skip
        webservice_command = (
            f"toolforge jobs run web --image {build_image(tool)} --command web --continuous "
            f"--port {WEB_PORT} --publish{mount}"
        )
        notes.append(
            Note(
                "web-job",
                "the web service becomes a continuous job named web, published at "
                f"https://{tool}.toolforge.org/ (stop the classic web service first)",
                Severity.INFO,
            )
        )
    planned = {j.name for j in planner.jobs} | {j.name for j in planner.on_demand}
    delete = tuple(n for n in translation.current_jobs if n not in planned)
    if delete:
        notes.append(
            Note(
                "delete-old-jobs",
                f"'toolforge jobs load' does not delete jobs missing from jobs.yaml: delete "
                f"{', '.join(delete)} once the new jobs work",
                Severity.INFO,
            )
        )
    jobs_command = "toolforge jobs load jobs.yaml" if planner.jobs else None
    steps = _steps(build, translation, planner, webservice_command, jobs_command, delete, image)
    if components and report is not None and report.language is not None:
        files, steps, jobs_command = as_components(
            tool, planner, files, steps, clone_url, ref, bool(web), jobs_yaml
        )
    return Plan(
        tool=tool,
        repository=repository,
        clone_url=clone_url,
        ref=ref,
        language=report.language if report else None,
        buildpack=report.buildpack if report else None,
        runtime_version=planner.runtime_version,
        image=image,
        procfile=tuple(planner.procfile.values()),
        jobs=tuple(planner.jobs),
        on_demand=tuple(planner.on_demand),
        jobs_yaml=jobs_yaml,
        files=tuple(PlannedFile(*f) for f in files),
        envvars=translation.envvars,
        build_command=build,
        webservice_command=webservice_command,
        jobs_command=jobs_command,
        delete_jobs=delete,
        steps=steps,
        problems=_problems(notes, guide_base),
        web_job=web_job,
    )


def _build(tool: str, report: RepoReport | None, notes: list[Note]) -> tuple[str, str, str, str]:
    source = report.source if report else None
    if source is None or source.kind != "gitlab":
        url = f"https://gitlab.wikimedia.org/toolforge-repos/{tool}"
        notes.append(
            Note(
                "repo-local-path",
                f"the build reads a public git repository, not this directory: push it "
                f"(for example to {url}) and build from there",
                Severity.INFO if source is None else Severity.WARNING,
            )
        )
        location = source.location if source else ""
        return location, url, "", f"toolforge build start {url}"
    if source.visibility and source.visibility != "public":
        notes.append(
            Note(
                "repo-not-public",
                f"the project is {source.visibility}: the build service can only clone public "
                "repositories",
            )
        )
    command = f"toolforge build start {source.clone_url}"
    if source.ref and source.ref != source.default_branch:
        command += f" --ref {source.ref}"
    return source.web_url or source.location, source.clone_url, source.ref, command


def _steps(
    build: str,
    translation: Translation,
    planner: JobPlanner,
    webservice_command: str | None,
    jobs_command: str | None,
    delete: tuple[str, ...],
    image: str,
) -> tuple[str, ...]:
    steps = ["merge the merge request with the planned files (or commit them yourself)", build]
    for env in translation.envvars:
        value = "" if env.value is None else f" {_quote(env.value)}"
        steps.append(f"toolforge envvars create {env.name}{value}")
    if webservice_command:
        steps.append("webservice stop")
        steps.append(webservice_command)
    if jobs_command:
        steps.append(jobs_command)
    for job in planner.on_demand:
        wait = " --wait" if job.wait else ""
        steps.append(
            f"toolforge jobs run {job.name} --image {image} --command {job.command}{wait}"
            "  (when needed)"
        )
    steps.extend(f"toolforge jobs delete {name}" for name in delete)
    return tuple(steps)


def _quote(value: str) -> str:
    import shlex

    return shlex.quote(value)


def _problems(notes: list[Note], guide_base: str) -> tuple[Problem, ...]:
    seen: set[tuple[str, str, str | None]] = set()
    out: list[Problem] = []
    for note in notes:
        key = (note.problem, note.message, note.job)
        if key in seen:
            continue
        seen.add(key)
        out.append(
            Problem(
                id=note.problem,
                severity=note.severity.value,
                message=note.message,
                guide=guide_link(note.problem, guide_base),
                job=note.job,
                source=note.source,
            )
        )
    # warnings first; otherwise the order things were found in
    return tuple(sorted(out, key=lambda p: p.severity != Severity.WARNING.value))


GRID_FILES = ("crontab", "crontab.txt", "crontab.tools")


def plan_for(
    tool: str,
    report: RepoReport | None,
    *,
    grid_text: str = "",
    jsubrc: str = "",
    current_jobs: object = None,
    guide_base: str = "",
    components: bool = False,
) -> Plan:
    """Translate what is known (pasted grid text, the API's current jobs, a crontab or
    ``.jsubrc`` kept in the repository) and plan against the repository report."""
    from bot.migration.apijobs import translate_api_jobs
    from bot.migration.translate import translate_grid

    texts = report.root_texts if report else {}
    scripts = report.scripts if report else {}
    if not grid_text and report is not None:
        kept = next((p for p in GRID_FILES if p in texts), None)
        grid_text = texts.get(kept, "") if kept else ""
    if not jsubrc:
        jsubrc = texts.get(".jsubrc", "")
    translation = Translation()
    if grid_text.strip() or jsubrc.strip():
        translation = translate_grid(grid_text, tool=tool, jsubrc=jsubrc, scripts=scripts)
    if current_jobs is not None:
        # What runs today is the truth; a grid line for the same job name is history.
        current = translate_api_jobs(current_jobs, tool=tool)  # type: ignore[arg-type]
        replaced = sorted({j.name for j in translation.jobs} & {j.name for j in current.jobs})
        translation = translation.merged(current)
        if replaced:
            note = Note(
                "already-migrated",
                f"the grid lines for {', '.join(replaced)} are ignored: the tool already runs "
                "jobs with those names, and those are carried over",
                Severity.INFO,
            )
            translation = translation.merged(Translation(notes=(note,)))
    return make_plan(tool, report, translation, guide_base=guide_base, components=components)
