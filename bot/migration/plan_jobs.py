"""Moving job definitions to the build-service image: Procfile entries and job changes."""

from __future__ import annotations

from bot.migration.apijobs import is_build_service_image
from bot.migration.detect import DEFAULT_PYTHON
from bot.migration.images import ImageGuess, guess, image_language
from bot.migration.inspect import RepoReport
from bot.migration.kept_options import keep_running_options
from bot.migration.model import GridWebservice, Job, Note, Severity
from bot.migration.names import procfile_name
from bot.migration.procfile import ProcfileEntry
from bot.migration.programs import resolve
from bot.migration.rewrite import rewrite
from bot.migration.shellwords import split

# languages a job's interpreter may have that the repository's buildpack also provides
_SAME_IMAGE = {"shell", "sql"}
_NO_BUILDPACK = {"perl", "tcl"}


def _unbuildable(report: RepoReport | None) -> bool:
    """A Python repository the build cannot install: no package manager file, and no
    setuptools ``setup.py``/``pyproject.toml`` whose dependencies a ``.`` line would install."""
    if report is None or report.language != "python" or report.package_manager is not None:
        return False
    setup = report.root_texts.get("setup.py", "") + report.root_texts.get("pyproject.toml", "")
    return not ("install_requires" in setup or "dependencies" in setup)


class JobPlanner:
    """Collects Procfile entries and build-service job definitions, one job at a time."""

    def __init__(self, tool: str, report: RepoReport | None, notes: list[Note]) -> None:
        self.tool = tool
        self.report = report
        self.notes = notes
        self.image = f"tool-{tool}/tool-{tool}:latest"
        existing = report.procfile if report and report.procfile else ()
        self.procfile: dict[str, ProcfileEntry] = {e.name: e for e in existing}
        self.jobs: list[Job] = []
        self.on_demand: list[Job] = []
        self.apt_extra: dict[str, str] = {}
        self.extra_requirements: list[str] = []
        self.web_needs_nfs = False
        self.runtime_version: str | None = None
        self._logs_noted = False
        if report and report.language == "python":
            self.runtime_version = report.version or DEFAULT_PYTHON
        elif report:
            self.runtime_version = report.version
        self.unbuildable = _unbuildable(report)
        if report and report.language == "python" and report.package_manager is None:
            if not self.unbuildable:
                # pip installs the package itself, with its install_requires
                self.extra_requirements.append(".")

    @property
    def pip(self) -> bool:
        return self.report is not None and (
            self.report.package_manager == "pip" or "." in self.extra_requirements
        )

    def add(self, job: Job, *, running: bool = False) -> None:
        """Plan ``job``; ``running``: the jobs API runs it today, so what it has stays."""
        if is_build_service_image(job.image) or self.report is None:
            self._keep(job)
            return
        language = guess([t.value for t in split(job.command).tokens if t.kind == "word"])
        if language.language == "shell" and image_language(job.image) != "shell":
            # the translator read the script's shebang, which the command does not show
            language = ImageGuess(job.image, image_language(job.image))
        repo_language = self.report.language
        paths = set(self.report.paths)
        if repo_language is None or self.unbuildable:
            self._keep_prebuilt(self._on_path(job, in_home=True), language.language)
            return
        if language.language not in _SAME_IMAGE and language.language != repo_language:
            self._keep_prebuilt(job, language.language)
            return
        if language.language == "sql":
            self.apt_extra.setdefault("mariadb-client", f"job {job.name} runs the mysql client")
        job = self._on_path(job, in_home=False)
        rewritten = rewrite(job.command, paths, self.tool)
        if language.language == "shell" and rewritten.program.startswith("$TOOL_DATA_DIR/"):
            # a script that lives only on NFS gains nothing from the image: it keeps the
            # pre-built image, which mounts the tool home and starts there
            self.notes.append(
                Note(
                    "code-on-nfs",
                    f"{rewritten.program.removeprefix('$TOOL_DATA_DIR/')} is not in the "
                    f"repository: the job stays on the pre-built image {job.image}, which "
                    "mounts the tool home; move the script into the repository to build it",
                    Severity.WARNING,
                    job.name,
                    job.source,
                )
            )
            self._keep(job)
            return
        entry = self._entry(job.name, rewritten.command)
        self._check_executable(rewritten.program, job.name)
        mount = None
        if rewritten.needs_nfs:
            mount = "all"
            where = ", ".join(rewritten.on_nfs) or "the tool home"
            self.notes.append(
                Note(
                    "code-on-nfs",
                    f"still uses {where} from NFS: read through $TOOL_DATA_DIR "
                    "with mount: all; moving it into the repository is better",
                    Severity.WARNING,
                    job.name,
                    job.source,
                )  # fmt: skip
            )
        filelog = None
        if job.filelog_stdout or job.filelog_stderr:
            mount, filelog = "all", True
            self.notes.append(
                Note(
                    "filelog",
                    "log files on a build-service image need mount: all and filelog: true",
                    Severity.INFO,
                    job.name,
                )  # fmt: skip
            )
        else:
            if running:
                kept = keep_running_options(job, mount, filelog)
                mount, filelog = kept.mount, kept.filelog
                self.notes.extend([kept.note] if kept.note else [])
            if not filelog and not self._logs_noted and job.filelog is not False:
                self._note_logs()
        moved = job.with_changes(
            command=entry.name,
            image=self.image,
            mount=mount,
            filelog=filelog,
            workdir=None,
        )
        (self.on_demand if job.kind == "one-off" else self.jobs).append(moved)

    def add_web(self, grid: GridWebservice | None) -> bool:
        """Make sure a ``web`` process exists when the tool has a website; ``True`` if it has."""
        report = self.report
        web = report.web if report else None
        if report:
            self.web_needs_nfs = any(
                n.problem in ("nfs", "home-path", "tool-data-dir") for n in report.notes
            )
        if "web" in self.procfile:
            return True
        if web is None and grid is None:
            return False
        if report is None:
            return grid is not None
        if web is not None and web.command:
            self.procfile["web"] = ProcfileEntry("web", web.command)
            self.notes.append(
                Note(
                    "web-procfile",
                    f"{web.framework} app in {web.entry or 'the repository'}: "
                    f"'web: {web.command}' serves it on $PORT",
                    Severity.INFO,
                )  # fmt: skip
            )
            if web.needs_dependency:
                self._require(web.needs_dependency)
            return True
        if grid is not None and grid.extra_args:
            command = rewrite(grid.extra_args, set(report.paths), self.tool).command
            self.procfile["web"] = ProcfileEntry("web", command)
            self.notes.append(
                Note(
                    "web-port",
                    f"'web: {command}' must listen on 0.0.0.0 and the port in $PORT",
                    Severity.WARNING,
                )  # fmt: skip
            )
            return True
        self.notes.append(
            Note(
                "web-procfile",
                "I could not tell how the web server starts: add a 'web:' line "
                "to the Procfile that listens on $PORT",
                Severity.WARNING,
            )  # fmt: skip
        )
        return True

    def _note_logs(self) -> None:
        self._logs_noted = True
        self.notes.append(
            Note(
                "logs",
                "build-service jobs write no .out/.err files: read their output "
                "with 'toolforge jobs logs <name>'",
                Severity.INFO,
            )
        )

    def _require(self, dependency: str) -> None:
        if self.pip:
            self.extra_requirements.append(dependency)
            self.notes.append(
                Note(
                    "python-web-server", f"{dependency} is added to requirements.txt", Severity.INFO
                )  # fmt: skip
            )
        else:
            self.notes.append(
                Note(
                    "python-web-server",
                    f"add {dependency} to the project's dependencies",
                    Severity.WARNING,
                )  # fmt: skip
            )

    def _keep(self, job: Job) -> None:
        (self.on_demand if job.kind == "one-off" else self.jobs).append(job)

    def _on_path(self, job: Job, *, in_home: bool) -> Job:
        """The job with a program the grid found through PATH named by its repository file."""
        assert self.report is not None
        found = resolve(job.command, self.report.paths, in_home=in_home)
        if found.path is None:
            return job
        self.notes.append(
            Note(
                "program-on-path",
                f"the grid found the program through PATH; it is {found.path} in the repository",
                Severity.INFO,
                job.name,
                job.source,
            )
        )
        return job.with_changes(command=found.command)

    def _keep_prebuilt(self, job: Job, language: str) -> None:
        repo = self.report.language if self.report else None
        if repo is None or self.unbuildable:
            why = (
                "no buildpack detects this repository"
                if repo is None
                else "the Python build would fail (no requirements.txt, poetry.lock or uv.lock, "
                "and a setup.py pip cannot install)"
            )
            message = (
                f"{why}, so an image built from it would not work: the {language} job "
                f"stays on the pre-built image {job.image}, which mounts the tool home"
            )
            self.notes.append(Note("no-buildpack", message, Severity.WARNING, job.name, job.source))
            self._keep(job)
            return
        if language in _NO_BUILDPACK:
            message = (
                f"{language} has no buildpack: the job stays on the pre-built image {job.image}"
            )
            problem = "no-buildpack"
        else:
            message = (f"runs {language} but the repository builds as {repo or 'nothing'}: it "
                       f"stays on the pre-built image {job.image} (or build a second image with "
                       "'toolforge build start -i <name>')")  # fmt: skip
            problem = "multiple-languages"
        self.notes.append(Note(problem, message, Severity.WARNING, job.name, job.source))
        self._keep(job)

    def _entry(self, job_name: str, command: str) -> ProcfileEntry:
        for entry in self.procfile.values():
            if entry.command == command and entry.name != "web":
                return entry
        base = procfile_name(job_name)
        name, counter = base, 2
        while name in self.procfile or name == "web":
            name, counter = f"{base}-{counter}", counter + 1
        entry = ProcfileEntry(name, command)
        self.procfile[name] = entry
        return entry

    def _check_executable(self, program: str, job_name: str) -> None:
        report = self.report
        path = program.removeprefix("./")
        if report is None or path not in report.paths or path in report.executable:
            return
        self.notes.append(
            Note(
                "not-executable",
                f"{path} is not executable in the repository: git update-index --chmod=+x {path}",
                Severity.WARNING,
                job_name,
            )  # fmt: skip
        )
