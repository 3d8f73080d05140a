"""Code that depends on the grid or on lighttpd: it needs more than a new image.

- grid runtime: scripts reading ``$JOB_ID``/``$JOB_NAME``/``$SGE_*``, which the
  grid set for each job, and dispatchers submitting work with ``jsub``/``qsub``/
  ``jstart`` or watching it with ``qstat``;
- CGI sites: lighttpd ran scripts as CGI or FastCGI; the build service has no
  CGI server;
- apps kept in the grid's web layout (``www/js``, ``www/python/src``) with no
  dependency file at the root, where the build looks.
"""

from __future__ import annotations

import re

from bot.migration.model import Note, Severity
from bot.migration.snapshot import Snapshot

_CODE = (".py", ".php", ".js", ".mjs", ".ts", ".sh", ".bash", ".pl", ".rb", ".go", ".cgi", ".tcl")
_GRID_COMMANDS = r"(?:/usr/bin/|/usr/local/bin/)?(?:jsub|qsub|jstart|qstat|qdel|jstop|qcronsub)"
# a grid command run by a shell script: at the start of a command
_SHELL_CALL = re.compile(rf"(?:^|[;&|(`]|\$\()\s*{_GRID_COMMANDS}(?:\s|$)", re.MULTILINE)
# ... or named in a string that another language runs
_STRING_CALL = re.compile(rf"""['"]{_GRID_COMMANDS}(?:['"]|\s)""")
_GRID_VARIABLE = re.compile(
    r"\$\{?(?:JOB_ID|JOB_NAME|SGE_[A-Z_]+)\b|"
    r"""(?:environ(?:\.get)?\s*[\[(]|getenv\s*\(|ENV\{|process\.env\.)\s*['"]?(?:JOB_ID|JOB_NAME|SGE_[A-Z_]+)"""
)
_CGI_CONFIG = re.compile(r"^\s*(?:cgi\.assign|fastcgi\.server)\b", re.MULTILINE)
_CGI_SCRIPT = re.compile(r"^\s*import cgi|cgitb|print\s*\(?\s*['\"]Content-[Tt]ype:", re.MULTILINE)
_WEB_DIRS = ("public_html/", "cgi-bin/")
_NESTED_APPS = {
    "www/js/package.json": ("package.json", "the grid's nodejs layout"),
    "www/python/src/requirements.txt": ("requirements.txt", "the grid's uwsgi-python layout"),
}


def grid_runtime(snapshot: Snapshot) -> list[Note]:
    files = []
    for path, text in sorted(snapshot.contents.items()):
        shell = path.endswith((".sh", ".bash")) or text.startswith(
            ("#!/bin/", "#!/usr/bin/env bash")
        )
        if not (shell or path.endswith(_CODE)):
            continue
        calls = (_SHELL_CALL if shell else _STRING_CALL).search(text)
        if calls or _GRID_VARIABLE.search(text):
            files.append(path)
    if not files:
        return []
    shown = ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
    return [
        Note(
            "grid-runtime",
            f"{shown} talk to the grid ($JOB_ID, $JOB_NAME, $SGE_*, or jsub/qsub/jstart/qstat), "
            "which the jobs framework does not have: rewrite that part",
            Severity.WARNING,
            source=files[0],
        )
    ]


def cgi_site(snapshot: Snapshot) -> list[Note]:
    config = next(
        (
            p
            for p, t in snapshot.contents.items()
            if p.endswith(".lighttpd.conf") and _CGI_CONFIG.search(t)
        ),
        None,
    )
    scripts = sorted(
        p
        for p, t in snapshot.contents.items()
        if p.startswith(_WEB_DIRS)
        and p.endswith((".py", ".pl", ".cgi", ".rb"))
        and _CGI_SCRIPT.search(t)
    )
    if config is None and not scripts:
        return []
    where = config or scripts[0]
    return [
        Note(
            "cgi-site",
            f"{where}: the website runs scripts as CGI under lighttpd, and the build service has "
            "no CGI server; keep the site on its pre-built lighttpd type until it is a WSGI app",
            Severity.WARNING,
            source=where,
        )
    ]


def nested_apps(snapshot: Snapshot) -> list[Note]:
    root = {p for p in snapshot.paths if "/" not in p}
    notes = []
    for path, (manifest, layout) in _NESTED_APPS.items():
        if path in snapshot.paths and manifest not in root:
            notes.append(
                Note(
                    "web-nested",
                    f"the web app is in {path.rsplit('/', 1)[0]}/ ({layout}): the build only reads "
                    f"a {manifest} at the root of the repository",
                    Severity.WARNING,
                    source=path,
                )
            )
    return notes
