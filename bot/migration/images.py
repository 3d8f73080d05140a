"""Which pre-built image runs a grid command: the interpreter decides.

Only for lift-and-shift definitions (and to tell which language a job is in);
the planner replaces the image with the tool's build-service image.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

DEFAULT_IMAGE = "bookworm"

_INTERPRETERS: tuple[tuple[str, str, str], ...] = (
    # (regex on the program's basename, image, language)
    (r"python(3(\.\d+)?)?", "python3.11", "python"),
    (r"python2(\.\d+)?", "python3.11", "python"),
    (r"(uwsgi|gunicorn|celery|pip3?)", "python3.11", "python"),
    (r"php(\d(\.\d+)?)?(-cli)?", "php8.2", "php"),
    (r"(node(js)?|npm|npx)", "node20", "nodejs"),
    (r"java", "jdk17", "java"),
    (r"perl(5[.\d]*)?", "perl5.36", "perl"),
    (r"ruby|bundle", "ruby3.1", "ruby"),
    (r"tclsh(\d[.\d]*)?", "tcl8.6", "tcl"),
    (r"mono", "mono6.12", "dotnet"),
    (r"(mysql|mariadb|mysqldump)", "mariadb", "sql"),
)
_EXTENSIONS = {
    ".py": ("python3.11", "python"),
    ".php": ("php8.2", "php"),
    ".js": ("node20", "nodejs"),
    ".mjs": ("node20", "nodejs"),
    ".jar": ("jdk17", "java"),
    ".pl": ("perl5.36", "perl"),
    ".rb": ("ruby3.1", "ruby"),
    ".tcl": ("tcl8.6", "tcl"),
    ".exe": ("mono6.12", "dotnet"),
    ".sh": (DEFAULT_IMAGE, "shell"),
}
_SCRIPT_RUNNERS = (
    r"php(\d(\.\d+)?)?(-cli)?", r"node(js)?", r"perl(5[.\d]*)?", r"ruby", r"tclsh(\d[.\d]*)?",
    r"mono", r"java",
)  # fmt: skip
_SHELLS = ("sh", "bash", "dash", "zsh", "env", "nice", "ionice", "timeout", "time", "nohup")
# Commands that only exist on a bastion (or need a tool account shell).
BASTION_ONLY = ("sql", "become", "ssh", "crontab", "toolforge", "webservice", "kubectl", "take")


@dataclass(frozen=True, slots=True)
class ImageGuess:
    image: str
    language: str
    interpreter: str = ""
    venv: bool = False
    python2: bool = False
    bastion_command: str = ""


def basename(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def guess(words: Sequence[str], shebang: str = "") -> ImageGuess:
    """The image for a command given as words (program first)."""
    index = _skip_wrappers(words)
    if index >= len(words):
        return ImageGuess(DEFAULT_IMAGE, "shell")
    program = words[index].removeprefix("#!")
    name = basename(program)
    if name in BASTION_ONLY:
        return ImageGuess(DEFAULT_IMAGE, "shell", name, bastion_command=name)
    for pattern, image, language in _INTERPRETERS:
        if re.fullmatch(pattern, name):
            return _interpreter(image, language, program, name)
    for extension, (image, language) in _EXTENSIONS.items():
        if name.endswith(extension):
            if shebang:
                from_shebang = guess(shebang.split())
                if from_shebang.language != "shell":
                    return from_shebang
            return ImageGuess(image, language)
    if shebang:
        return guess(shebang.split())
    return ImageGuess(DEFAULT_IMAGE, "shell")


def _interpreter(image: str, language: str, program: str, name: str) -> ImageGuess:
    # an interpreter outside the system directories is a virtualenv (or similar) built on the grid
    venv = "/bin/" in program and not program.startswith(("/usr/", "/bin/"))
    return ImageGuess(
        image,
        language,
        interpreter=name,
        venv=venv and language == "python",
        python2=name.startswith("python2"),
    )


_IMAGE_LANGUAGES = (
    ("python", "python"), ("php", "php"), ("node", "nodejs"), ("jdk", "java"), ("perl", "perl"),
    ("ruby", "ruby"), ("tcl", "tcl"), ("mono", "dotnet"), ("mariadb", "sql"),
)  # fmt: skip


def image_language(image: str) -> str:
    """The language a pre-built image is for (``shell`` for the plain Debian images)."""
    name = image.removeprefix("tf-")
    return next((lang for prefix, lang in _IMAGE_LANGUAGES if name.startswith(prefix)), "shell")


def program_index(words: Sequence[str]) -> int:
    """Index of the program a command runs, after ``env``, ``nice``, shells and assignments."""
    return _skip_wrappers(words)


def is_interpreter(name: str) -> bool:
    """Whether ``name`` (a basename) is a language interpreter that runs a script argument."""
    return any(re.fullmatch(pattern, name) for pattern, _, _ in _INTERPRETERS[:2]) or any(
        re.fullmatch(pattern, name) for pattern in _SCRIPT_RUNNERS
    )


def _skip_wrappers(words: Sequence[str]) -> int:
    """Index of the real program after ``env``, ``nice -n 10``, ``bash -c``-less shells, etc."""
    i = 0
    while i < len(words):
        name = basename(words[i])
        if name.startswith("#!"):
            name = basename(name[2:])
        if name in _SHELLS:
            i += 1
            while i < len(words) and (words[i].startswith("-") or "=" in words[i]):
                i += 1
            if name in ("nice", "timeout") and i < len(words) and words[i].isdigit():
                i += 1
            continue
        if re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[i]):
            i += 1
            continue
        return i
    return i
