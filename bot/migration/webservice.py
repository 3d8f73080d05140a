"""``webservice [--backend=gridengine] <type> <action> [-- args]`` lines."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.migration.model import GridWebservice, Note, Severity

ACTIONS = ("start", "stop", "restart", "status", "shell", "logs")

# grid type -> (closest Kubernetes pre-built type or None, what changes)
GRID_TYPES: dict[str, tuple[str | None, str]] = {
    "lighttpd": ("php8.2", "PHP under lighttpd serving ~/public_html"),
    "lighttpd-plain": (None, "static files under lighttpd"),
    "uwsgi-python": ("python3.11", "a Python WSGI app in ~/www/python/src/app.py"),
    "uwsgi-plain": (None, "uWSGI with your own ~/uwsgi.ini"),
    "nodejs": ("node20", "npm start in ~/www/js"),
    "generic": ("bookworm", "your own command listening on $PORT"),
    "tomcat": ("jdk17", "Tomcat (removed in 2023)"),
    "lighttpd-precise": ("php8.2", "PHP on Ubuntu Precise (removed in 2019)"),
}
_KUBERNETES_TYPE = re.compile(
    r"^(php\d\.\d+|python3\.\d+|node\d+|jdk\d+|ruby\d\.\d+|perl5\.\d+|tcl\d\.\d+|"
    r"bookworm|bullseye|trixie|buildservice|golang\d+\.\d+)$"
)


@dataclass(frozen=True, slots=True)
class ParsedWebservice:
    service: GridWebservice | None
    action: str
    notes: tuple[Note, ...]


def parse(words: Sequence[str], source: str, in_cron: bool = False) -> ParsedWebservice:
    """Understand one ``webservice`` invocation (``words[0]`` is the command itself)."""
    notes: list[Note] = []
    backend = ""
    positional: list[str] = []
    extra: list[str] = []
    i = 1
    while i < len(words):
        word = words[i]
        if word == "--":
            extra = list(words[i + 1 :])
            break
        if word.startswith("--backend"):
            backend, i = _value(words, i)
        elif word in ("--release", "-m", "--mem", "-c", "--cpu", "-r", "--replicas"):
            _, i = _value(words, i)
            if word == "--release":
                notes.append(_info("no-equivalent", "--release: there is no OS choice", source))
        elif word.startswith("--"):
            _, i = _value(words, i) if "=" not in word else (word, i + 1)
        else:
            positional.append(word)
            i += 1
    action = next((w for w in positional if w in ACTIONS), "")
    types = [w for w in positional if w not in ACTIONS]
    web_type = types[0] if types else ("lighttpd" if backend.endswith("gridengine") else "")
    if in_cron:
        notes.append(
            _info(
                "webservice-keepalive",
                "a cron line restarting the webservice is not needed: Kubernetes restarts it",
                source,
            )
        )
        return ParsedWebservice(None, action, tuple(notes))
    if action not in ("start", "restart"):
        notes.append(
            _info(
                "webservice-type", f"'webservice {action or '?'}' defines nothing to move", source
            )
        )
        return ParsedWebservice(None, action, tuple(notes))
    if web_type in GRID_TYPES:
        target, what = GRID_TYPES[web_type]
        service = GridWebservice(web_type, target, " ".join(extra), source)
        notes.append(
            Note(
                "webservice-type",
                f"grid webservice type {web_type} ({what}) becomes a 'web' process in the "
                "Procfile, started with 'webservice buildservice start'",
                Severity.INFO,
                source=source,
            )
        )
        return ParsedWebservice(service, action, tuple(notes))
    if _KUBERNETES_TYPE.match(web_type):
        service = GridWebservice(web_type, web_type, " ".join(extra), source)
        return ParsedWebservice(service, action, tuple(notes))
    notes.append(
        Note(
            "webservice-type",
            f"unknown webservice type '{web_type or '?'}': tell me what the web server runs",
            Severity.WARNING,
            source=source,
        )
    )
    return ParsedWebservice(None, action, tuple(notes))


def _value(words: Sequence[str], i: int) -> tuple[str, int]:
    word = words[i]
    if "=" in word:
        return word.split("=", 1)[1], i + 1
    if i + 1 < len(words):
        return words[i + 1], i + 2
    return "", i + 1


def _info(problem: str, message: str, source: str) -> Note:
    return Note(problem, message, Severity.INFO, source=source)
