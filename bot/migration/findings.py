"""Things in a repository that break or change on the build service.

Each finding is a :class:`Note` linked to a guide section; system packages
the code needs become Aptfile lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.migration.code_view import code_view
from bot.migration.model import Note, Severity
from bot.migration.snapshot import Snapshot

_CODE = (".py", ".php", ".js", ".mjs", ".ts", ".sh", ".bash", ".pl", ".rb", ".go", ".java", ".rs")
_HOME = re.compile(
    r"os\.path\.expanduser|Path\.home\(\)|environ\[['\"]HOME['\"]\]|getenv\(['\"]HOME['\"]\)|"
    r"environ\.get\(['\"]HOME['\"]|process\.env\.HOME|\$HOME\b|\$\{HOME\}|['\"]~/|\$ENV\{HOME\}"
)
_TOOL_DATA_DIR = re.compile(r"\bTOOL_DATA_DIR\b")
_NFS = re.compile(r"/data/project/|/data/scratch|/public/dumps|/mnt/nfs")
_REPLICA = re.compile(r"replica\.my\.cnf|\.my\.cnf")

# dependency name (as in requirements/package.json) -> (apt packages, why)
APT_BY_DEPENDENCY: dict[str, tuple[tuple[str, ...], str]] = {
    "pdf2image": (("poppler-utils",), "pdf2image runs pdftoppm"),
    "pytesseract": (("tesseract-ocr",), "pytesseract runs tesseract"),
    "pygraphviz": (("graphviz", "libgraphviz-dev"), "pygraphviz links against graphviz"),
    "graphviz": (("graphviz",), "the graphviz package runs dot"),
    "pydub": (("ffmpeg",), "pydub runs ffmpeg"),
    "ffmpeg-python": (("ffmpeg",), "ffmpeg-python runs ffmpeg"),
    "moviepy": (("ffmpeg",), "moviepy runs ffmpeg"),
    "pypandoc": (("pandoc",), "pypandoc runs pandoc"),
    "gdal": (("gdal-bin", "libgdal-dev"), "GDAL links against libgdal"),
    "pyvips": (("libvips-dev",), "pyvips loads libvips"),
    "wand": (("libmagickwand-dev",), "Wand loads ImageMagick"),
}
# program run by the code -> apt package
APT_BY_PROGRAM: dict[str, str] = {
    "ffmpeg": "ffmpeg",
    "pandoc": "pandoc",
    "tesseract": "tesseract-ocr",
    "pdftotext": "poppler-utils",
    "pdftoppm": "poppler-utils",
    "convert": "imagemagick",
    "rsvg-convert": "librsvg2-bin",
    "dot": "graphviz",
    "exiftool": "libimage-exiftool-perl",
    "mysql": "mariadb-client",
    "mysqldump": "mariadb-client",
    "mariadb": "mariadb-client",
    "psql": "postgresql-client",
    "pg_dump": "postgresql-client",
    "sqlite3": "sqlite3",
    "logrotate": "logrotate",
    "git-lfs": "git-lfs",
    "rsync": "rsync",
    "xmllint": "libxml2-utils",
    "xsltproc": "xsltproc",
    "djvused": "djvulibre-bin",
    "djvutxt": "djvulibre-bin",
    "ddjvu": "djvulibre-bin",
    "gs": "ghostscript",
    "inkscape": "inkscape",
    "optipng": "optipng",
    "jpegtran": "libjpeg-turbo-progs",
}
# a line of non-shell code that runs a program: the call and the program's name together
_RUN_CALL = re.compile(
    r"subprocess\.\w+\(|Popen\(|os\.system\(|os\.popen\(|check_output\(|shell_exec\(|"
    r"passthru\(|proc_open\(|\bexec\(|\bsystem\(|execSync\(|execFile\w*\(|spawn\w*\(|`"
)
_PHP_EXTENSIONS: dict[str, str] = {
    r"\bnew (IntlDateFormatter|Collator|NumberFormatter)\b|Normalizer::|\bgrapheme_": "intl",
    r"\bimagecreate\w*\(|\bimagepng\(|\bgetimagesize\(": "gd",
    r"\bnew Redis\b": "redis",
    r"\bnew Imagick\b": "imagick",
    r"\bgmp_\w+\(": "gmp",
    r"\bbc(add|sub|mul|div)\(": "bcmath",
    r"\bldap_\w+\(": "ldap",
    r"\bexif_\w+\(": "exif",
    r"\bnew SoapClient\b": "soap",
}


def home_and_storage(snapshot: Snapshot) -> list[Note]:
    notes = []
    checks = (
        (
            _HOME,
            "home-path",
            "uses $HOME or ~/: HOME is not the tool home on the build service; "
            "use $TOOL_DATA_DIR (with --mount=all) or envvars",
        ),
        (
            _NFS,
            "nfs",
            "reads or writes NFS paths: the job or webservice needs --mount=all, and "
            "$TOOL_DATA_DIR instead of a hard-coded /data/project path",
        ),
        (
            _REPLICA,
            "replica-credentials",
            "reads replica.my.cnf: use the TOOL_REPLICA_USER / "
            "TOOL_REPLICA_PASSWORD (or TOOL_TOOLSDB_*) environment variables",
        ),
    )
    for pattern, problem, message in checks:
        files = _files_matching(snapshot, pattern)
        if files:
            notes.append(
                Note(problem, f"{_list(files)} {message}", Severity.WARNING, source=files[0])
            )
    files = _files_matching(snapshot, _TOOL_DATA_DIR)
    if files:
        notes.append(
            Note(
                "tool-data-dir",
                f"{_list(files)}: files under $TOOL_DATA_DIR (the tool's home) need "
                "--mount=all",
                Severity.INFO,
                source=files[0],
            )
        )
    return notes


def layout(snapshot: Snapshot, tool: str = "") -> list[Note]:
    notes = []
    paths = set(snapshot.paths)
    uwsgi = sorted(p for p in paths if p.rsplit("/", 1)[-1] == "uwsgi.ini")
    if uwsgi or "www/python/src/app.py" in paths:
        where = uwsgi[0] if uwsgi else "www/python/src/app.py"
        notes.append(
            Note(
                "uwsgi",
                f"{where}: the uWSGI setup of the grid/pre-built python type "
                "is replaced by gunicorn in the Procfile",
                Severity.WARNING,
                source=where,
            )
        )
    if any(p.rsplit("/", 1)[-1] == ".lighttpd.conf" for p in paths):
        notes.append(
            Note(
                "lighttpd-config",
                ".lighttpd.conf is not read on the build service: "
                "move rewrites into the app or an .htaccess",
                Severity.WARNING,
            )
        )
    if "service.template" in paths:
        notes.append(
            Note(
                "service-template",
                "service.template: set 'type: buildservice' in the tool's ~/service.template",
                Severity.INFO,
            )
        )
    if "user-config.py" in paths or "pywikibot" in _dependency_text(snapshot):
        notes.append(
            Note(
                "pywikibot",
                "pywikibot looks for user-config.py in its base directory: "
                "set PYWIKIBOT_DIR to a directory under $TOOL_DATA_DIR (and mount NFS) "
                "or generate the config from envvars",
                Severity.WARNING,
            )
        )
    if tool and _files_matching(snapshot, re.compile(rf"['\"]/{re.escape(tool)}/")):
        notes.append(
            Note(
                "url-prefix",
                f"URLs start with /{tool}/: the web service is now "
                "served from / at https://<tool>.toolforge.org",
                Severity.WARNING,
            )
        )
    return notes


def apt_packages(snapshot: Snapshot) -> list[tuple[str, str]]:
    """``(package, reason)`` for system packages the code seems to need."""
    found: dict[str, str] = {}
    deps = _dependency_names(snapshot)
    for dep, (packages, why) in APT_BY_DEPENDENCY.items():
        if dep in deps:
            for package in packages:
                found.setdefault(package, why)
    for path, text in snapshot.contents.items():
        shell = path.endswith((".sh", ".bash")) or text.startswith(
            ("#!/bin/", "#!/usr/bin/env bash")
        )
        if not (shell or path.endswith(_CODE)):
            continue
        for program in sorted(_programs_run(text, shell)):
            found.setdefault(APT_BY_PROGRAM[program], f"{path} runs {program}")
    return sorted(found.items())


def _programs_run(text: str, shell: bool) -> set[str]:
    """The programs a script runs: in a shell script, the word that starts a command; in
    other code, a program named in a string on the same line as a call that runs it.
    Names that only appear in data (a table of programs, a message) are not runs."""
    names = "|".join(re.escape(p) for p in APT_BY_PROGRAM)
    if shell:
        start = r"(?:^|[;&|(`]|\$\()\s*(?:\S+=\S*\s+)*(?:/usr/s?bin/|/usr/local/bin/)?"
        pattern = rf"{start}({names})(?=\s|$)"
        return set(re.findall(pattern, text, re.M))
    found: set[str] = set()
    for line in text.splitlines():
        if _RUN_CALL.search(line):
            found.update(re.findall(rf"""['"`](?:/usr/s?bin/)?({names})(?=['"`\s])""", line))
    return found


def php_extensions(snapshot: Snapshot) -> list[str]:
    text = "\n".join(t for p, t in snapshot.contents.items() if p.endswith(".php"))
    return sorted({ext for pattern, ext in _PHP_EXTENSIONS.items() if re.search(pattern, text)})


def _files_matching(snapshot: Snapshot, pattern: re.Pattern[str]) -> list[str]:
    return sorted(
        p
        for p, t in snapshot.contents.items()
        if p.endswith(_CODE) and pattern.search(t) and pattern.search(code_view(p, t))
    )


def _dependency_text(snapshot: Snapshot) -> str:
    names = ("requirements.txt", "pyproject.toml", "Pipfile", "package.json", "composer.json")
    return "\n".join(snapshot.text(n) or "" for n in names).lower()


def _dependency_names(snapshot: Snapshot) -> set[str]:
    return set(re.findall(r"[a-z0-9][a-z0-9_.-]*", _dependency_text(snapshot).replace("_", "-")))


def _list(files: Iterable[str]) -> str:
    items = list(files)
    shown = ", ".join(items[:3])
    return shown + (f" and {len(items) - 3} more" if len(items) > 3 else "")
