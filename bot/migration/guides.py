"""Problem ids and the guide section that explains each one.

Every note the translator, inspector or planner produces names a problem id
from :data:`PROBLEMS`; :func:`guide_link` turns it into
``migration_guides/<file>.md#<anchor>``. A test checks that every anchor is a
real heading, so renaming a heading without updating this table fails CI.
"""

from __future__ import annotations

from dataclasses import dataclass

GUIDES_DIR = "migration_guides"


@dataclass(frozen=True, slots=True)
class Problem:
    guide: str
    anchor: str
    title: str


def _p(guide: str, anchor: str, title: str) -> Problem:
    return Problem(guide, anchor, title)


PROBLEMS: dict[str, Problem] = {
    # overview
    "overview": _p("overview", "from-the-grid-to-the-build-service", "How the move works"),
    "repo-not-public": _p("overview", "a-public-git-repository", "The build needs a public repo"),
    "repo-local-path": _p("overview", "a-public-git-repository", "The code must be in a repo"),
    "multiple-languages": _p("overview", "one-language-per-image", "Several languages"),
    "unknown-language": _p("overview", "one-language-per-image", "No buildpack detects it"),
    "aptfile": _p("overview", "system-packages-aptfile", "System packages"),
    "rebuild-restart": _p("overview", "rebuild-after-every-change", "Rebuild and restart"),
    "delete-old-jobs": _p("overview", "jobs-to-delete-afterwards", "Old jobs stay"),
    "already-migrated": _p("overview", "jobs-to-delete-afterwards", "Already on the build service"),
    # python
    "python-no-package-manager": _p("python", "dependency-file", "No requirements.txt"),
    "python-several-package-managers": _p("python", "dependency-file", "Several dependency files"),
    "python-version": _p("python", "python-version", "Python version"),
    "python-runtime-txt": _p("python", "python-version", "runtime.txt is obsolete"),
    "python-venv": _p("python", "virtual-environments-from-the-grid", "Grid virtualenv"),
    "python2": _p("python", "python-2", "Python 2"),
    "uwsgi": _p("python", "web-apps-from-uwsgi-to-gunicorn", "uWSGI layout"),
    "python-web-server": _p("python", "web-apps-from-uwsgi-to-gunicorn", "Needs gunicorn"),
    "pywikibot": _p("python", "pywikibot", "Pywikibot configuration"),
    # php
    "php-no-composer": _p("php", "composerjson", "No composer.json"),
    "php-extensions": _p("php", "extensions", "PHP extensions"),
    "php-web": _p("php", "serving-public_html", "Serving public_html"),
    "lighttpd-config": _p("php", "lighttpd-configuration", "~/.lighttpd.conf"),
    # node
    "node-lockfile": _p("nodejs", "packagejson-and-the-lockfile", "No lockfile"),
    "node-version": _p("nodejs", "node-version", "Node.js version"),
    "node-port": _p("nodejs", "listening-on-port", "Node.js must use PORT"),
    # java
    "java-build": _p("java", "maven-and-gradle", "Java build"),
    "java-memory": _p("java", "memory-and-the-java-heap", "Java memory"),
    # other languages
    "go-binary-path": _p("other-languages", "go", "Go binaries"),
    "no-buildpack": _p("other-languages", "languages-without-a-buildpack", "No buildpack"),
    "shell-only": _p("other-languages", "shell-scripts", "Shell scripts"),
    # web
    "web-procfile": _p("webservice", "the-web-process", "The web process"),
    "web-port": _p("webservice", "listening-on-port", "Listen on $PORT"),
    "webservice-type": _p("webservice", "grid-webservice-types", "Grid webservice type"),
    "cgi-site": _p("webservice", "cgi-sites", "CGI site"),
    "web-nested": _p("webservice", "an-app-in-a-subdirectory", "App in a subdirectory"),
    "web-job": _p("webservice", "a-web-service-as-a-job", "Web service as a job"),
    "static-files": _p("webservice", "static-files", "Static files"),
    "url-prefix": _p("webservice", "url-prefix", "URL prefix"),
    "service-template": _p("webservice", "the-service-template-file", "service.template"),
    "webservice-keepalive": _p("webservice", "restarts", "webservice restarts"),
    # jobs
    "job-name": _p("jobs", "job-names", "Job name changed"),
    "continuous-exit": _p("jobs", "continuous-jobs", "Continuous jobs always restart"),
    "cron-keepalive": _p("jobs", "continuous-jobs", "cron + jstart"),
    "schedule-macro": _p("jobs", "scheduled-jobs", "@daily gets a random time"),
    "schedule-unsupported": _p("jobs", "scheduled-jobs", "Schedule not accepted"),
    "schedule-timezone": _p("jobs", "scheduled-jobs", "Schedules are UTC"),
    "one-off": _p("jobs", "one-off-jobs", "One-off jobs"),
    "memory-virtual": _p("jobs", "memory-and-cpu", "Grid memory was virtual"),
    "memory-over-limit": _p("jobs", "memory-and-cpu", "Memory over the limit"),
    "emails": _p("jobs", "emails", "E-mail"),
    "working-directory": _p("jobs", "working-directory", "Working directory"),
    "no-equivalent": _p("jobs", "options-without-an-equivalent", "No equivalent"),
    "unknown-option": _p("jobs", "options-without-an-equivalent", "Unknown option"),
    "quota-continuous": _p("jobs", "quotas", "Continuous job quota"),
    "quota-cron": _p("jobs", "quotas", "Cron job quota"),
    "bastion-command": _p("jobs", "commands-only-on-the-bastion", "Bastion-only command"),
    "cron-wrapped": _p("jobs", "cron-lines-without-jsub", "Cron line without jsub"),
    "shell-syntax": _p("jobs", "shell-syntax-around-the-command", "Shell syntax"),
    "grid-runtime": _p("jobs", "grid-runtime-inside-the-code", "Grid runtime in the code"),
    "program-on-path": _p("jobs", "programs-found-through-path", "Program found through PATH"),
    "image-deprecated": _p("jobs", "images", "Deprecated image"),
    "options-kept": _p("jobs", "options-kept-when-a-job-moves", "Options kept"),
    "not-executable": _p(
        "troubleshooting", "permission-denied-when-a-job-starts", "Script not executable"
    ),
    "not-understood": _p("troubleshooting", "the-bot-did-not-understand-a-line", "Not understood"),
    "large-repository": _p(
        "troubleshooting", "a-repository-too-large-to-read-whole", "Large repository"
    ),
    # diagnosis: what "why is my tool down?" finds
    "nothing-runs": _p("troubleshooting", "nothing-runs", "Nothing runs"),
    "exit-codes": _p("troubleshooting", "exit-codes", "Exit codes"),
    "out-of-memory": _p("troubleshooting", "job-killed-with-exit-code-137", "Out of memory"),
    "crash-loop": _p("troubleshooting", "continuous-job-keeps-restarting", "Crash loop"),
    "image-pull": _p("troubleshooting", "kubernetes-cannot-pull-the-image", "Image pull error"),
    "schedule-never-ran": _p("troubleshooting", "a-scheduled-job-never-ran", "Never ran"),
    "quota-exhausted": _p("troubleshooting", "out-of-quota", "Out of quota"),
    "build-failed": _p("troubleshooting", "the-latest-build-failed", "Build failed"),
    "front-502": _p("troubleshooting", "the-web-front-answers-502-bad-gateway", "502"),
    "front-503": _p("troubleshooting", "the-web-front-answers-no-webservice", "No webservice"),
    "front-500": _p("troubleshooting", "the-web-service-answers-500", "The tool's 500"),
    "front-silent": _p("troubleshooting", "the-web-front-does-not-answer", "No answer"),
    "classic-down": _p("troubleshooting", "a-classic-web-service-is-down", "Classic web service"),
    # logs
    "logs": _p("logs", "where-output-goes", "Where output goes"),
    "filelog": _p("logs", "keeping-log-files", "Log files"),
    "log-directory": _p("logs", "log-directories", "Log directory"),
    # secrets and env vars
    "envvars": _p("secrets-and-envvars", "tool-wide-environment-variables", "Env vars"),
    "secret": _p("secrets-and-envvars", "secrets", "Secrets"),
    "replica-credentials": _p("secrets-and-envvars", "database-credentials", "DB credentials"),
    "grid-shell-setting": _p("secrets-and-envvars", "grid-shell-settings", "Grid shell setting"),
    "cron-environment": _p(
        "secrets-and-envvars", "shell-startup-files-and-path", "PATH and .bashrc"
    ),
    # storage
    "home-path": _p("storage", "home-is-not-the-tool-home", "HOME is not the tool home"),
    "nfs": _p("storage", "mounting-nfs", "NFS paths"),
    "tool-data-dir": _p("storage", "using-the-tool-data-directory", "TOOL_DATA_DIR"),
    "code-on-nfs": _p("storage", "code-on-nfs", "Code on NFS"),
}


def problem(problem_id: str) -> Problem:
    """The catalogue entry; unknown ids fall back to the overview (and a test forbids them)."""
    return PROBLEMS.get(problem_id, PROBLEMS["overview"])


def guide_link(problem_id: str, base: str = "") -> str:
    """``migration_guides/jobs.md#job-names``, prefixed with ``base`` (a URL) if given."""
    entry = problem(problem_id)
    path = f"{GUIDES_DIR}/{entry.guide}.md#{entry.anchor}"
    if not base:
        return path
    return f"{base.rstrip('/')}/{path}"


def all_links() -> set[str]:
    return {guide_link(pid) for pid in PROBLEMS}
