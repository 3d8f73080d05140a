"""One grid submission (``jsub ... program args``) -> one job definition and its notes."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.migration.images import ImageGuess, basename, guess, is_interpreter, program_index
from bot.migration.job_resources import image_notes, log_files, memory
from bot.migration.jsub import (
    SUBMIT_COMMANDS,
    SubmitOptions,
    embedded_options,
    mail_to_emails,
    merged,
    parse_option_lines,
    parse_options,
)
from bot.migration.model import Job, JobKind, Note, Severity
from bot.migration.names import grid_default_name, job_name, unique
from bot.migration.paths import home_relative
from bot.migration.shell_env import Setting, for_job
from bot.migration.shellwords import Words

_SECRET_ARG = re.compile(r"--?(pass(word)?|token|secret|api-?key)[= ]\S+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Submission:
    """Where the submission sits: tokens ``first..last`` of ``words``; ``schedule`` is
    ``None`` outside a crontab and ``""`` for a crontab schedule that was not accepted."""

    words: Words
    first: int
    last: int
    schedule: str | None
    line_no: int
    workdir: str | None
    source: str
    chained: bool = False


@dataclass
class SubmissionResult:
    job: Job | None
    notes: list[Note] = field(default_factory=list)
    env: list[tuple[str, str | None]] = field(default_factory=list)


def job_from_submission(
    sub: Submission,
    *,
    env: Sequence[Setting] = (),
    defaults: SubmitOptions,
    scripts: Mapping[str, str],
    taken: set[str],
    tool: str,
) -> SubmissionResult:
    tokens = sub.words.tokens[sub.first : sub.last + 1]
    result = SubmissionResult(None)
    src = sub.source
    cut = next((i for i, t in enumerate(tokens) if t.kind == "redirect"), len(tokens))
    values = [t.value for t in tokens[:cut]]
    head = basename(values[0]) if values else ""
    if head in SUBMIT_COMMANDS:
        opts, start = parse_options(values[1:])
        start += 1
    else:
        opts, start = SubmitOptions(), 1 if head == "jlocal" else 0
    if start >= len(values):
        result.notes.extend(dropped_notes(opts, None, src))
        result.notes.append(
            _warn("not-understood", f"{head or 'this line'}: no program to run", src)
        )
        return result
    script_path, script = _find_script(values[start:], scripts, tool)
    embedded = parse_option_lines(embedded_options(script)) if script else SubmitOptions()
    own = merged(embedded, opts)
    effective = merged(defaults, own)
    image = guess(values[start:], shebang=_shebang(script))
    command = sub.words.span(sub.first + start, sub.first + cut - 1)

    name = _name(effective, values[start:], image, taken, result, src)
    if cut < len(tokens):
        result.notes.append(
            _info(
                "shell-syntax",
                "the output redirection belonged to the submit command itself and is dropped",
                src,
                name,
            )
        )
    kind, schedule = _kind(head, effective, sub, name, result, script)
    job_env = for_job([*env, *effective.env], image.language, name, src)
    result.notes.extend(job_env.notes)
    command, workdir = _workdir(job_env.prefix + command, effective, sub, tool, name, result)
    stdout, stderr, filelog = log_files(effective, name, tool, result.notes, src)
    mem = memory(effective.mem_mib, name, image, result.notes, src)
    emails = mail_to_emails(effective.mail_when)
    if effective.mail_to:
        result.notes.append(
            _warn(
                "emails",
                f"-M {effective.mail_to}: mail can only go to the tool's maintainers",
                src,
                name,
            )
        )
    if effective.mail_when and emails:
        result.notes.append(
            _info("emails", f"-m {effective.mail_when} becomes emails: {emails}", src, name)
        )
    if _SECRET_ARG.search(command):
        result.notes.append(
            _warn(
                "secret",
                "the command line seems to carry a secret; it would end up in the public "
                "repository: read it from an environment variable instead",
                src,
                name,
            )
        )
    wait = effective.sync and kind == "one-off"
    if effective.sync and kind != "one-off":
        result.notes.append(_info("one-off", "-sync only applies to one-off jobs", src, name))
    result.notes.extend(image_notes(image, name, src))
    result.notes.extend(dropped_notes(own, name, src))
    if script_path and embedded.name is None and (embedded.dropped or embedded.mem_mib):
        result.notes.append(
            _info(
                "no-equivalent", f"options from '#$' lines in {script_path} were applied", src, name
            )
        )
    if head not in SUBMIT_COMMANDS:
        result.notes.append(_wrapped_note(head, sub, name))
    result.env = job_env.secrets
    result.job = Job(
        name=name,
        command=command,
        kind=kind,
        image=image.image,
        schedule=schedule,
        mem=mem,
        emails=emails,
        filelog=filelog,
        filelog_stdout=stdout,
        filelog_stderr=stderr,
        wait=wait,
        workdir=workdir,
        source=src,
    )
    return result


def dropped_notes(opts: SubmitOptions, job: str | None, source: str) -> list[Note]:
    notes = [
        Note("no-equivalent", f"{d.option}: {d.reason}", d.severity, job, source)
        for d in opts.dropped
    ]
    notes.extend(
        _warn("unknown-option", f"{option}: not a jsub option I know; ignored", source, job)
        for option in opts.unknown
    )
    return notes


def _name(
    opts: SubmitOptions,
    words: list[str],
    image: ImageGuess,
    taken: set[str],
    result: SubmissionResult,
    src: str,
) -> str:
    if opts.name:
        raw = opts.name
    else:
        raw = grid_default_name(_script_word(words, image) or words[0])
    name = job_name(raw)
    if name != raw:
        result.notes.append(
            _info(
                "job-name",
                f"job '{raw}' is named '{name}': names are "
                "lowercase letters, digits, '-' and '.', at most 52",
                src,
                name,
            )
        )
    final = unique(name, taken)
    if final != name:
        result.notes.append(
            _warn(
                "job-name",
                f"'{name}' is already used by another job; this one is called '{final}'",
                src,
                final,
            )
        )
    if re.fullmatch(r"cron-\d+", final):
        result.notes.append(
            _info(
                "job-name",
                f"'{final}' was the crontab wrapper's name; "
                "a name saying what the job does is easier to manage",
                src,
                final,
            )
        )
    return final


def _kind(
    head: str,
    opts: SubmitOptions,
    sub: Submission,
    name: str,
    result: SubmissionResult,
    script: str,
) -> tuple[JobKind, str | None]:
    src = sub.source
    ends = script and not runs_forever(script) and not _DAEMON_NAME.search(name)
    if (head == "jstart" or opts.continuous) and sub.schedule and ends:
        # the grid restarted a continuous job only after a failure: a script that
        # ends was run by the schedule, and a continuous job would loop on it
        result.notes.append(
            _info(
                "cron-keepalive",
                "jstart from cron on a script that ends: a scheduled job",
                src,
                name,
            )
        )
        return "scheduled", sub.schedule
    if head == "jstart" or opts.continuous:
        if sub.schedule is not None:
            result.notes.append(
                _info(
                    "cron-keepalive",
                    "cron only restarted this if it had "
                    "died; a continuous job is restarted automatically, so the "
                    "schedule is dropped",
                    src,
                    name,
                )
            )
        result.notes.append(
            _warn(
                "continuous-exit",
                "the grid restarted it only after a failure; "
                "Kubernetes restarts it whenever it exits, even with status 0",
                src,
                name,
            )
        )
        return "continuous", None
    if sub.schedule is not None:
        return "scheduled", sub.schedule or None
    return "one-off", None


def _workdir(
    command: str,
    opts: SubmitOptions,
    sub: Submission,
    tool: str,
    name: str,
    result: SubmissionResult,
) -> tuple[str, str | None]:
    directory = opts.workdir or sub.workdir
    if opts.cwd and directory is None and sub.schedule is None:
        result.notes.append(
            _warn(
                "working-directory",
                "-cwd ran the job where jsub was called; "
                "that directory is unknown here: add 'cd <dir> && ' or use "
                "absolute paths",
                sub.source,
                name,
            )
        )
    if directory is None or home_relative(directory, tool) == "":
        return command, None
    return f"cd {directory} && {command}", directory


def _wrapped_note(head: str, sub: Submission, name: str) -> Note:
    if sub.schedule is None:
        return _info(
            "one-off",
            f"'{head}' is not a grid submit command; translated as a one-off job",
            sub.source,
            name,
        )
    if head == "jlocal":
        return _info(
            "cron-wrapped",
            "jlocal ran this on the cron host; now it is a scheduled job like any other",
            sub.source,
            name,
        )
    return _info(
        "cron-wrapped",
        f"the grid's crontab wrapper submitted this as "
        f"'cron-{sub.line_no}'; now it is a scheduled job",
        sub.source,
        name,
    )


def _script_word(words: list[str], image: ImageGuess) -> str | None:
    """The script an interpreter or a wrapper runs (``python3 -u bot.py``, ``bash x.sh``,
    ``nice -n 5 perl x.pl`` -> the script), if any; a script's own arguments never name it."""
    index = program_index(words)
    if index >= len(words):
        return None
    program = basename(words[index])
    if not is_interpreter(program):
        return words[index] if index else None
    return next((w for w in words[index + 1 :] if not w.startswith("-")), None)


def _find_script(words: list[str], scripts: Mapping[str, str], tool: str) -> tuple[str | None, str]:
    # the program, or the script its interpreter runs: never the script's own arguments
    index = program_index(words)
    candidates = words[index : index + 1]
    if candidates and is_interpreter(basename(candidates[0])):
        candidates += [w for w in words[index + 1 :] if not w.startswith("-")][:1]
    for word in candidates:
        relative = home_relative(word, tool)
        path = (relative if relative is not None else word).removeprefix("./")
        best = max(
            (key for key in scripts if path == key or path.endswith("/" + key)),
            key=len,
            default=None,
        )
        if best is not None:
            return best, scripts[best]
    return None, ""


_FOREVER = re.compile(
    r"while\s+(true|:|\[\s*1\s*\]|True|1)\b|for\s*\(\s*;\s*;\s*\)|\bwhile\s*\(\s*(true|1)\s*\)|"
    r"^\s*exec\s|run_forever|serve_forever|\.listen\(|start_polling|infinity|\bloop\s*\{|"
    r"\bsleep\s+\d+\s*;?\s*done",
    re.MULTILINE,
)


_DAEMON_NAME = re.compile(r"irc|daemon|server|stream|listen|watch|bot|worker|queue", re.IGNORECASE)


def runs_forever(script: str) -> bool:
    """Whether a script loops, serves or hands over to another program (a daemon, as far
    as can be told), rather than doing its work and ending."""
    return bool(_FOREVER.search(script))


def _shebang(script: str) -> str:
    first = script.split("\n", 1)[0] if script else ""
    return first[2:].strip() if first.startswith("#!") else ""


def _info(problem: str, message: str, source: str, job: str | None = None) -> Note:
    return Note(problem, message, Severity.INFO, job, source)


def _warn(problem: str, message: str, source: str, job: str | None = None) -> Note:
    return Note(problem, message, Severity.WARNING, job, source)
