"""Web apps in a repository: which framework, and the Procfile ``web`` line it needs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.jsontext import parse_json
from bot.migration.model import Note, Severity
from bot.migration.snapshot import Snapshot

GUNICORN = "gunicorn --bind 0.0.0.0:$PORT"


@dataclass(frozen=True, slots=True)
class WebApp:
    framework: str
    command: str | None
    entry: str
    needs_dependency: str | None = None
    notes: tuple[Note, ...] = ()


def find_web_app(snapshot: Snapshot, language: str | None) -> WebApp | None:
    if language == "python":
        return _python(snapshot)
    if language == "php":
        return _php(snapshot)
    if language == "nodejs":
        return _node(snapshot)
    if language == "java":
        return _java(snapshot)
    if language == "go" and "net/http" in _all_text(snapshot, ".go"):
        name = _go_binary(snapshot)
        return WebApp("go net/http", f"/layers/heroku_go/go_target/bin/{name}", "go.mod")
    if language == "ruby" and "config.ru" in snapshot.paths:
        return WebApp("rack", "bundle exec rackup -o 0.0.0.0 -p $PORT", "config.ru")
    return None


_APP = re.compile(r"^(\w+)\s*=\s*(?:flask\.)?Flask\(", re.M)
_ASGI = re.compile(
    r"^(\w+)\s*=\s*(?:fastapi\.|starlette\.applications\.)?(FastAPI|Starlette)\(", re.M
)
_FROM_FACTORY = re.compile(r"^(\w+)\s*=\s*(?:\w+\.)?(?:create_app|make_app)\(", re.M)
_FACTORY = re.compile(r"^def (create_app|make_app)\(", re.M)
_USES_APP = re.compile(r"^\s*(?:app\.run\(|@app\.(?:route|get|post)\b)", re.M)


def _python(snapshot: Snapshot) -> WebApp | None:
    deps = _python_deps(snapshot)
    sources = _sources(snapshot, ".py")
    # an app object at module level: app = Flask(...), flask.Flask(...), create_app()
    for path, text in sources:
        flask = _APP.search(text)
        if flask is None and "flask" in deps:
            flask = _FROM_FACTORY.search(text)
        if flask:
            return _wsgi("flask", path, flask.group(1), deps, snapshot)
        asgi = _ASGI.search(text)
        if asgi:
            chdir, module = _module(path, snapshot)
            command = f"uvicorn {module}:{asgi.group(1)} --host 0.0.0.0 --port $PORT"
            if chdir:
                command += f" --app-dir {chdir}"
            need = None if "uvicorn" in deps else "uvicorn"
            return WebApp(asgi.group(2).lower(), command, path, need)
        if "get_wsgi_application" in text and path.endswith("wsgi.py"):
            chdir, module = _module(path, snapshot)
            return _wsgi("django", path, None, deps, snapshot, module=module, chdir=chdir)
    # an app factory that nothing calls at module level: gunicorn calls it
    for path, text in sources:
        factory = _FACTORY.search(text)
        if factory and "Flask(" in text:
            return _wsgi("flask", path, f"{factory.group(1)}()", deps, snapshot)
    # a root app.py that imports its app from a package and runs it
    for path in ("app.py", "wsgi.py", "main.py"):
        text = snapshot.text(path) or ""
        if _USES_APP.search(text):
            return _wsgi("flask" if "flask" in deps else "wsgi", path, "app", deps, snapshot)
    for name in ("aiohttp", "tornado", "bottle", "cherrypy"):
        if name in deps:
            listening = _listens_on_port(sources)
            if listening is not None:
                return WebApp(name, None, listening)
            note = Note(
                "web-port",
                f"{name} app: make it listen on 0.0.0.0 and the port in $PORT",
                Severity.WARNING,
            )
            return WebApp(name, None, "", None, (note,))
    return None


# The port read from the environment: os.environ["PORT"], environ.get("PORT"), getenv("PORT").
_READS_PORT = re.compile(r"""(?:environ|env|getenv)\s*(?:\.get\s*)?[\[(]\s*["']PORT["']""")


def _listens_on_port(sources: list[tuple[str, str]]) -> str | None:
    """The file that reads $PORT and listens on 0.0.0.0 with it, if one does: such an app
    already serves where Toolforge sends its requests."""
    for path, text in sources:
        if "0.0.0.0" in text and _READS_PORT.search(text):
            return path
    return None


def _wsgi(
    framework: str,
    path: str,
    target: str | None,
    deps: set[str],
    snapshot: Snapshot,
    *,
    module: str | None = None,
    chdir: str | None = None,
) -> WebApp:
    if module is None:
        chdir, module = _module(path, snapshot)
    app = f"{module}:{target}" if target else module
    command = f"{GUNICORN} {app}" if not chdir else f"{GUNICORN} --chdir {chdir} {app}"
    need = None if "gunicorn" in deps else "gunicorn"
    return WebApp(framework, command, path, need)


def _module(path: str, snapshot: Snapshot) -> tuple[str | None, str]:
    """(directory to change into, dotted module) for a Python file."""
    parts = path.removesuffix(".py").removesuffix("/__init__").split("/")
    # climb while the directory is a package
    top = len(parts) - 1
    while top > 0 and "/".join(parts[:top]) + "/__init__.py" in snapshot.paths:
        top -= 1
    chdir = "/".join(parts[:top]) or None
    return chdir, ".".join(parts[top:])


def _python_deps(snapshot: Snapshot) -> set[str]:
    text = " ".join(
        snapshot.text(name) or "" for name in ("requirements.txt", "pyproject.toml", "Pipfile")
    ).lower()
    return set(re.findall(r"[a-z0-9_.-]+", text.replace("_", "-")))


def _php(snapshot: Snapshot) -> WebApp | None:
    dirs = snapshot.dirs()
    for docroot in ("public_html", "public", "web", "htdocs"):
        if docroot in dirs:
            return WebApp("php", f"heroku-php-apache2 {docroot}/", docroot)
    if any(p.endswith(".php") and "/" not in p for p in snapshot.paths):
        return WebApp("php", "heroku-php-apache2", "index.php")
    return None


def _node(snapshot: Snapshot) -> WebApp | None:
    package = lenient_json(snapshot.text("package.json") or "{}")
    scripts = package.get("scripts", {}) if isinstance(package, dict) else {}
    deps = package.get("dependencies", {}) if isinstance(package, dict) else {}
    framework = next((f for f in ("express", "koa", "fastify", "next", "hapi") if f in deps), None)
    if not framework and not isinstance(scripts, dict):
        return None
    entry = next((f for f in ("server.js", "index.js", "app.js") if f in snapshot.paths), "")
    if framework is None and not (isinstance(scripts, dict) and "start" in scripts) and not entry:
        return None
    notes: tuple[Note, ...] = ()
    if "process.env.PORT" not in _all_text(snapshot, ".js", ".mjs", ".ts"):
        notes = (
            Note(
                "node-port",
                "no process.env.PORT found: the server must listen on the port in $PORT",
                Severity.WARNING,
            ),
        )
    command = "npm start" if isinstance(scripts, dict) and "start" in scripts else f"node {entry}"
    return WebApp(framework or "node", command, entry or "package.json", None, notes)


def lenient_json(text: str) -> Any:
    """JSON as npm writes it, forgiving the trailing commas people add by hand (the
    inspector still warns that the file is invalid)."""
    try:
        return parse_json(text)
    except ValueError:
        pass
    try:
        return parse_json(re.sub(r",(\s*[}\]])", r"\1", text))
    except ValueError:
        return {}


def _java(snapshot: Snapshot) -> WebApp | None:
    build = (snapshot.text("pom.xml") or "") + (snapshot.text("build.gradle") or "")
    if "spring-boot" in build:
        return WebApp("spring-boot", "java -Dserver.port=$PORT $JAVA_OPTS -jar target/*.jar", "")
    return None


def _go_binary(snapshot: Snapshot) -> str:
    match = re.search(r"^module\s+(\S+)", snapshot.text("go.mod") or "", re.M)
    if not match:
        return "app"
    # go install names the binary after the last element that is not a major version
    parts = [p for p in match.group(1).split("/") if p]
    while len(parts) > 1 and re.fullmatch(r"v\d+", parts[-1]):
        parts.pop()
    return parts[-1]


def _sources(snapshot: Snapshot, *suffixes: str) -> list[tuple[str, str]]:
    return sorted(
        ((p, t) for p, t in snapshot.contents.items() if p.endswith(suffixes)),
        key=lambda item: (item[0].count("/"), item[0]),
    )


def _all_text(snapshot: Snapshot, *suffixes: str) -> str:
    return "\n".join(t for _, t in _sources(snapshot, *suffixes))
