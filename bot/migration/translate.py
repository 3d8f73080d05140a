"""Grid-era input -> jobs-framework definitions, with a note for everything else.

The input is what a user pastes or a file holds, in any mix: crontab lines
(with environment lines, comments and ``@daily`` macros), ``jsub``/``jstart``/
``qcronsub``/``qsub``/``jlocal`` command lines, ``webservice --backend=
gridengine ...`` lines, ``~/.jsubrc`` option lines (``-mem 1g``) and ``#$``
embedded options. The result is lift-and-shift definitions on pre-built
images; the planner moves them to the build service. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.migration import webservice
from bot.migration.images import BASTION_ONLY, basename
from bot.migration.jsub import SUBMIT_COMMANDS, SubmitOptions, parse_option_lines
from bot.migration.model import EnvVar, GridWebservice, Job, Note, Severity, Translation
from bot.migration.schedule import looks_like_schedule, normalise
from bot.migration.shell_env import Setting, is_secret_name, machine_note
from bot.migration.shellwords import Words, split
from bot.migration.submission import Submission, job_from_submission

_ENV_LINE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_RUNNERS = SUBMIT_COMMANDS + ("jlocal", "webservice", "jstop", "qdel", "cd", "[", "test")
_SECRET_ASSIGNMENT = re.compile(
    r"\b([A-Za-z_]*(?:PASS|SECRET|TOKEN|KEY|CREDENTIAL|AUTH)[A-Za-z0-9_]*)=([^\s,;&|]+)",
    re.IGNORECASE,
)


def translate_grid(
    text: str,
    *,
    tool: str = "",
    jsubrc: str = "",
    scripts: Mapping[str, str] | None = None,
) -> Translation:
    """Translate grid-era text. ``scripts`` maps repository paths to contents (for ``#$``)."""
    return _Translator(tool, jsubrc, scripts or {}).run(text)


def redact_secrets(line: str) -> str:
    """The line with values of secret-looking assignments (``API_TOKEN=x``) hidden."""
    return _SECRET_ASSIGNMENT.sub(lambda m: f"{m.group(1)}=***", line)


class _Translator:
    def __init__(self, tool: str, jsubrc: str, scripts: Mapping[str, str]) -> None:
        self.tool = tool
        self.scripts = scripts
        self.defaults = parse_option_lines(jsubrc)
        self.jobs: list[Job] = []
        self.notes: list[Note] = []
        self.envvars: dict[str, EnvVar] = {}
        self.webservice: GridWebservice | None = None
        self.taken: set[str] = set()
        self.cron_env: list[Setting] = []  # crontab settings, for the jobs after them

    def run(self, text: str) -> Translation:
        for line_no, line in enumerate(_logical_lines(text)):
            self.line(line, line_no)
        if self.defaults.dropped or self.defaults.unknown:
            self.notes.extend(_dropped_notes(self.defaults, None, "~/.jsubrc"))
        return Translation(
            jobs=tuple(self.jobs),
            envvars=tuple(self.envvars.values()),
            webservice=self.webservice,
            notes=tuple(self.notes),
        )

    def line(self, raw: str, line_no: int) -> None:
        line = redact_secrets(raw.strip())
        if not line:
            return
        if line.startswith("#$") or line.startswith("-"):
            self.defaults = _extend_defaults(self.defaults, line)
            return
        if line.startswith("#"):
            return
        env = _ENV_LINE.match(line)
        if env and not self._runs_something(line):
            self.env_line(env.group(1), env.group(2).strip().strip("\"'"), line)
            return
        fields = line.split()
        if fields[0].startswith("@"):
            self.cron(fields[0], line[line.index(fields[0]) + len(fields[0]) :], line, line_no)
        elif looks_like_schedule(fields) and len(fields) == 5 and not _is_runner(fields[0]):
            self.warn("not-understood", "a schedule without a command", line)
        elif looks_like_schedule(fields) and len(fields) > 5 and not _is_runner(fields[0]):
            rest = line
            for field in fields[:5]:
                rest = rest[rest.index(field) + len(field) :]
            self.cron(" ".join(fields[:5]), rest, line, line_no)
        else:
            self.command(split(line), None, line_no, line)

    def _runs_something(self, line: str) -> bool:
        words = split(line).tokens
        return any(w.kind == "word" and _is_runner(w.value) for w in words[1:])

    def env_line(self, name: str, value: str, source: str) -> None:
        upper = name.upper()
        if upper in ("CRON_TZ", "TZ"):
            self.warn("schedule-timezone", f"{name}={value}: schedules always run in UTC", source)
        elif upper == "MAILTO":
            self.info(
                "emails",
                "MAILTO: cron mailed the output of the submit command; job mail goes to the "
                "tool's maintainers with 'emails: onfailure' (or all/onfinish)",
                source,
            )
        elif (note := machine_note(name, value, source)) is not None:
            self.notes.append(note)
        elif is_secret_name(name):
            self.add_env(name, value, "set in the crontab", source)
        else:
            self.cron_env.append((name, value))

    def add_env(self, name: str, value: str | None, reason: str, source: str) -> None:
        secret = is_secret_name(name)
        self.envvars[name] = EnvVar(name, None if secret else value, reason)
        message = f"{name} becomes a tool-wide environment variable (toolforge envvars)"
        if secret:
            message += "; it looks like a secret, so its value is not repeated here"
        self.info("envvars", message, source)

    def cron(self, when: str, command: str, source: str, line_no: int) -> None:
        schedule = normalise(when)
        for problem in schedule.problems:
            self.warn("schedule-unsupported", problem, source)
        if schedule.value and schedule.value.startswith("@"):
            self.info(
                "schedule-macro",
                f"{schedule.value} runs at a fixed but random time chosen per job (UTC); "
                "write explicit minutes and hours if the time matters",
                source,
            )
        elif schedule.changed:
            self.info("schedule-unsupported", f"schedule rewritten as '{schedule.value}'", source)
        command, stdin = _cron_percent(command)
        if stdin is not None:
            self.warn(
                "shell-syntax",
                "an unescaped % in a crontab line starts stdin for the command; "
                "that input is dropped (write \\% for a literal percent sign)",
                source,
            )
        self.command(split(command), schedule.value or "", line_no, source)

    def command(self, words: Words, schedule: str | None, line_no: int, source: str) -> None:
        """One line of shell: ``cd dir && jsub ...; jsub ...`` and so on."""
        if words.unterminated:
            self.warn("not-understood", "a quote is not closed; check the command", source)
        workdir: str | None = None
        prefix_env: list[Setting] = []
        segments = _segments(words)
        for index, (start, last) in enumerate(segments):
            first = start
            while (
                first < last
                and words.tokens[first].kind == "word"
                and _ASSIGNMENT.match(words.tokens[first].value)
            ):
                name, _, value = words.tokens[first].value.partition("=")
                prefix_env.append((name, value))
                first += 1
            values = [t.value for t in words.tokens[first : last + 1]]
            program = basename(values[0])
            if program == "cd":
                workdir = values[1] if len(values) > 1 else "~"
                continue
            if program in ("[", "test", "[["):
                self.warn(
                    "shell-syntax",
                    "the condition in front of the command is not carried over: put it in a "
                    "wrapper script in the repository",
                    source,
                )
                continue
            if program in ("jstop", "qdel"):
                self.info(
                    "one-off",
                    f"{program}: in the jobs framework this is 'toolforge jobs delete <name>'",
                    source,
                )
                continue
            if program == "webservice":
                self.web(values, source, schedule is not None)
                continue
            submission = Submission(
                words=words,
                first=first,
                last=last,
                schedule=schedule,
                line_no=line_no,
                workdir=workdir,
                source=source,
                chained=len(segments) > 1 and index > 0,
            )
            self.submit(submission, [*self.cron_env, *prefix_env])

    def submit(self, submission: Submission, env: list[Setting]) -> None:
        result = job_from_submission(
            submission,
            env=env,
            defaults=self.defaults,
            scripts=self.scripts,
            taken=self.taken,
            tool=self.tool,
        )
        self.notes.extend(result.notes)
        for name, value in result.env:
            self.add_env(name, value, "a secret the job was given", submission.source)
        if result.job is not None:
            self.taken.add(result.job.name)
            self.jobs.append(result.job)

    def web(self, values: list[str], source: str, in_cron: bool) -> None:
        parsed = webservice.parse(values, source, in_cron)
        self.notes.extend(parsed.notes)
        if parsed.service is not None:
            self.webservice = parsed.service

    def warn(self, problem: str, message: str, source: str | None = None) -> None:
        self.notes.append(Note(problem, message, Severity.WARNING, source=source))

    def info(self, problem: str, message: str, source: str | None = None) -> None:
        self.notes.append(Note(problem, message, Severity.INFO, source=source))


def _logical_lines(text: str) -> list[str]:
    """Lines with shell continuations (a trailing backslash) joined, and crontab
    entries that were joined with ``;`` (to fit one chat line) apart again."""
    out: list[str] = []
    pending = ""
    for raw in text.splitlines():
        if raw.endswith("\\") and not raw.endswith("\\\\"):
            pending += raw[:-1] + " "
            continue
        out.extend(_joined_entries(pending + raw))
        pending = ""
    if pending:
        out.extend(_joined_entries(pending))
    return out


def _joined_entries(line: str) -> list[str]:
    """``line`` cut at each ``;`` (outside quotes) that a crontab entry follows.

    In a shell, ``5 4 * * * jsub ...`` after ``;`` would run a command named
    ``5``; nobody means that, so it is the next entry of a pasted crontab.
    """
    entries: list[str] = []
    start, quote = 0, ""
    for i, ch in enumerate(line):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch == ";" and _starts_entry(line[i + 1 :]):
            entries.append(line[start:i])
            start = i + 1
    entries.append(line[start:])
    return entries


def _starts_entry(text: str) -> bool:
    words = text.split()
    if not words:
        return False
    if words[0].startswith("@") and len(words) > 1:
        return True
    return looks_like_schedule(words) and len(words) > 5


def _is_runner(word: str) -> bool:
    return basename(word) in _RUNNERS


def _extend_defaults(defaults: SubmitOptions, line: str) -> SubmitOptions:
    from bot.migration.jsub import merged

    extra = parse_option_lines(line)
    if extra.name:
        # a default name would give every job the same name
        extra.name = None
    return merged(defaults, extra)


def _segments(words: Words) -> list[tuple[int, int]]:
    """Index ranges of the simple commands between ``&&``, ``||``, ``;``, ``|``, ``&``."""
    out: list[tuple[int, int]] = []
    start = None
    for i, token in enumerate(words.tokens):
        if token.kind == "control":
            if start is not None:
                out.append((start, i - 1))
            start = None
        elif start is None:
            start = i
    if start is not None:
        out.append((start, len(words.tokens) - 1))
    return [(a, b) for a, b in out if words.tokens[a].kind == "word"]


def _cron_percent(command: str) -> tuple[str, str | None]:
    """Cron turns the first unescaped ``%`` into a newline and feeds the rest to stdin."""
    out: list[str] = []
    i = 0
    while i < len(command):
        ch = command[i]
        if ch == "\\" and i + 1 < len(command) and command[i + 1] == "%":
            out.append("%")
            i += 2
            continue
        if ch == "%":
            return "".join(out), command[i + 1 :]
        out.append(ch)
        i += 1
    return "".join(out), None


def _dropped_notes(opts: SubmitOptions, job: str | None, source: str) -> list[Note]:
    from bot.migration.submission import dropped_notes

    return dropped_notes(opts, job, source)


__all__ = ["translate_grid", "is_secret_name", "BASTION_ONLY"]
