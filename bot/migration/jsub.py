"""jsub / jstart / qcronsub / qsub options, read the way jsub read them.

Options come from three places, later ones winning: ``~/.jsubrc`` (one option
per line), ``#$`` lines at the top of the submitted script, and the command
line. Options the jobs framework has no use for are not dropped silently:
each becomes a :class:`Dropped` entry that the translator turns into a note.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.migration.memory import grid_mib
from bot.migration.model import Severity

SUBMIT_COMMANDS = ("jsub", "jstart", "qcronsub", "qsub")

# option -> number of values it takes
_ARITY: dict[str, int] = {
    "-N": 1, "-o": 1, "-e": 1, "-j": 1, "-mem": 1, "-l": 1, "-q": 1, "-M": 1, "-m": 1,
    "-v": 1, "-wd": 1, "-sync": 1, "-umask": 1, "-release": 1, "-a": 1, "-p": 1, "-i": 1,
    "-b": 1, "-t": 1, "-hold_jid": 1, "-S": 1, "-pe": 2, "-r": 1, "-now": 1, "-P": 1,
    "-A": 1, "-js": 1, "-ac": 1, "-dc": 1, "-sc": 1, "-c": 1, "-ckpt": 1, "-shell": 1,
    "-cwd": 0, "-once": 0, "-continuous": 0, "-quiet": 0, "-stderr": 0, "-hard": 0,
    "-soft": 0, "-V": 0, "-notify": 0, "-h": 0, "-verify": 0, "-w": 1,
}  # fmt: skip

# Options whose only effect was on the grid itself: nothing to do after the move.
_HARMLESS = {
    "-once": "job names are unique and scheduled runs never overlap, so -once is implicit",
    "-quiet": "-quiet only silenced jsub's own output",
    "-stderr": "-stderr only redirected jsub's own errors",
    "-q": "queues do not exist in the jobs framework",
    "-b": "-b only told SGE whether the program was a binary",
    "-hard": "-hard/-soft resource requests do not exist; resources are limits",
    "-soft": "-hard/-soft resource requests do not exist; resources are limits",
    "-S": "the shell is chosen by the image (/bin/sh); put a shebang in the script",
    "-shell": "the shell is chosen by the image (/bin/sh)",
    "-notify": "there are no SGE signals before suspension",
    "-r": "reruns are set with retry (0-5) in the jobs framework",
    "-P": "SGE projects do not exist",
    "-A": "SGE accounting strings do not exist",
    "-w": "SGE verification levels do not exist",
    "-verify": "SGE verification does not exist",
    "-js": "SGE job shares do not exist",
    "-release": "there is no OS choice except the image",
}
_NO_EQUIVALENT = {
    "-umask": "there is no umask option: call umask in the script",
    "-a": "a delayed start does not exist: use a schedule, or start the job later",
    "-now": "there is no immediate-or-fail scheduling",
    "-p": "job priorities do not exist",
    "-i": "stdin from a file does not exist: redirect inside the command",
    "-t": "array jobs do not exist: one job per task, or loop inside the program",
    "-hold_jid": "job dependencies do not exist: have one script call the next",
    "-pe": "parallel environments do not exist: request more --cpu instead",
    "-V": "the submitting shell's environment is not exported: use toolforge envvars",
    "-ckpt": "checkpointing does not exist",
    "-c": "checkpointing does not exist",
    "-ac": "job contexts do not exist",
    "-dc": "job contexts do not exist",
    "-sc": "job contexts do not exist",
    "-h": "holding a job does not exist",
}


@dataclass(frozen=True, slots=True)
class Dropped:
    option: str
    reason: str
    severity: Severity


@dataclass
class SubmitOptions:
    name: str | None = None
    continuous: bool = False
    mem_mib: int | None = None
    stdout: str | None = None
    stderr: str | None = None
    join: bool = False
    cwd: bool = False
    workdir: str | None = None
    sync: bool = False
    env: list[tuple[str, str | None]] = field(default_factory=list)
    mail_when: str | None = None
    mail_to: str | None = None
    dropped: list[Dropped] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def parse_options(
    words: Sequence[str], into: SubmitOptions | None = None
) -> tuple[SubmitOptions, int]:
    """Read options from ``words``; returns them and the index of the program word."""
    opts = into if into is not None else SubmitOptions()
    i = 0
    while i < len(words):
        word = words[i]
        if word == "--":
            return opts, i + 1
        if not word.startswith("-") or word == "-":
            return opts, i
        arity = _ARITY.get(word)
        if arity is None:
            opts.unknown.append(word)
            i += 1
            continue
        values = list(words[i + 1 : i + 1 + arity])
        if len(values) < arity:
            opts.dropped.append(Dropped(word, f"{word} needs a value", Severity.WARNING))
            return opts, len(words)
        _apply(opts, word, values)
        i += 1 + arity
    return opts, len(words)


def parse_option_lines(text: str) -> SubmitOptions:
    """Options written one per line, as in ``~/.jsubrc`` or ``#$`` script headers."""
    opts = SubmitOptions()
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#$"):
            line = line[2:].strip()
        elif line.startswith("#") or not line:
            continue
        try:
            words = shlex.split(line)
        except ValueError:
            words = line.split()
        parse_options(words, opts)
    return opts


def embedded_options(script: str) -> str:
    """The ``#$`` lines at the top of a script (SGE reads them until the first command)."""
    lines = []
    for raw in script.splitlines():
        line = raw.strip()
        if line.startswith("#$"):
            lines.append(line)
        elif line and not line.startswith("#"):
            break
    return "\n".join(lines)


def merged(base: SubmitOptions, top: SubmitOptions) -> SubmitOptions:
    """``top`` over ``base``: single values override, lists add up."""
    out = SubmitOptions(
        name=top.name or base.name,
        continuous=top.continuous or base.continuous,
        mem_mib=top.mem_mib if top.mem_mib is not None else base.mem_mib,
        stdout=top.stdout or base.stdout,
        stderr=top.stderr or base.stderr,
        join=top.join or base.join,
        cwd=top.cwd or base.cwd,
        workdir=top.workdir or base.workdir,
        sync=top.sync or base.sync,
        env=base.env + top.env,
        mail_when=top.mail_when or base.mail_when,
        mail_to=top.mail_to or base.mail_to,
        dropped=base.dropped + top.dropped,
        unknown=base.unknown + top.unknown,
    )
    return out


def _apply(opts: SubmitOptions, option: str, values: list[str]) -> None:
    value = values[0] if values else ""
    if option == "-N":
        opts.name = value
    elif option == "-continuous":
        opts.continuous = True
    elif option == "-mem":
        _set_mem(opts, value, option)
    elif option == "-l":
        _resources(opts, value)
    elif option == "-o":
        opts.stdout = value
    elif option == "-e":
        opts.stderr = value
    elif option == "-j":
        opts.join = _yes(value)
    elif option == "-cwd":
        opts.cwd = True
    elif option == "-wd":
        opts.workdir = value
    elif option == "-sync":
        opts.sync = _yes(value)
    elif option == "-v":
        for item in value.split(","):
            name, eq, val = item.partition("=")
            if name.strip():
                opts.env.append((name.strip(), val if eq else None))
    elif option == "-m":
        opts.mail_when = value
    elif option == "-M":
        opts.mail_to = value
    elif option in _HARMLESS:
        opts.dropped.append(Dropped(option, _HARMLESS[option], Severity.INFO))
    elif option in _NO_EQUIVALENT:
        shown = " ".join([option, *values])
        opts.dropped.append(Dropped(shown, _NO_EQUIVALENT[option], Severity.WARNING))


def _set_mem(opts: SubmitOptions, value: str, option: str) -> None:
    mib = grid_mib(value)
    if mib is None:
        opts.dropped.append(
            Dropped(f"{option} {value}", "memory value not understood", Severity.WARNING)
        )
    else:
        opts.mem_mib = mib


def _resources(opts: SubmitOptions, value: str) -> None:
    for item in value.split(","):
        key, _, val = item.partition("=")
        key = key.strip()
        if key in ("h_vmem", "mem_free", "s_vmem"):
            _set_mem(opts, val, f"-l {key}=")
        elif key == "virtual_free":
            mib = grid_mib(val)
            if mib is not None:
                # jsub: virtual_free raises the request to 1.1 x its value
                opts.mem_mib = max(opts.mem_mib or 0, round(mib * 1.1))
        elif key == "release":
            opts.dropped.append(Dropped(f"-l {item}", _HARMLESS["-release"], Severity.INFO))
        elif key:
            opts.dropped.append(
                Dropped(f"-l {item}", "SGE resource requests do not exist", Severity.INFO)
            )


def _yes(value: str) -> bool:
    return value.lower() in ("y", "yes", "true", "1")


def mail_to_emails(when: str | None) -> str | None:
    """SGE ``-m`` letters (b e a s n) as the jobs framework's ``emails`` value."""
    if not when:
        return None
    letters = set(when.lower())
    if "n" in letters and len(letters) == 1:
        return None
    if "b" in letters or "s" in letters:
        return "all"
    if "e" in letters:
        return "onfinish"
    if "a" in letters:
        return "onfailure"
    return None
