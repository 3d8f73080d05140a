"""Job definitions -> the ``jobs.yaml`` that ``toolforge jobs load`` reads.

Written by hand rather than with a YAML dumper so the file is stable, keeps
the documented key order, and can carry comments a maintainer will read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import yaml
import yaml.resolver

from bot.migration.model import Job

_PLAIN = re.compile(r"^[A-Za-z0-9_./@$~+-][A-Za-z0-9_ ./@$~+=,:-]*$")
_RESOLVER = yaml.resolver.Resolver()
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"}


def scalar(value: str) -> str:
    """A YAML scalar: plain when unambiguous, else double-quoted (JSON is valid YAML)."""
    if (
        value
        and _PLAIN.fullmatch(value)
        and value.lower() not in _YAML_WORDS
        and not value.endswith((" ", ":"))
        and _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) == "tag:yaml.org,2002:str"
        and not re.match(r"[-+.\d]", value)
        and ": " not in value
        and " #" not in value
        and not value.startswith(("@", "~"))
    ):
        return value
    return quoted(value)


def quoted(value: str) -> str:
    """A YAML double-quoted scalar; characters YAML may not hold literally are escaped."""
    out = ['"']
    for ch in value:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif 0x20 <= code <= 0x7E or 0xA0 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD:
            out.append(ch)
        elif code > 0xFFFF:
            out.append(f"\\U{code:08x}")
        elif code <= 0xFF:
            out.append(f"\\x{code:02x}")
        else:
            out.append(f"\\u{code:04x}")
    out.append('"')
    return "".join(out)


def render_job(job: Job) -> list[str]:
    pairs: list[tuple[str, str]] = [
        ("name", scalar(job.name)),
        ("command", scalar(job.command)),
        ("image", scalar(job.image)),
    ]
    if job.kind == "scheduled" and job.schedule:
        pairs.append(("schedule", quoted(job.schedule)))
    if job.kind == "continuous":
        pairs.append(("continuous", "true"))
    optional: list[tuple[str, object]] = [
        ("mem", job.mem),
        ("cpu", quoted(job.cpu) if job.cpu else None),
        ("emails", job.emails),
        ("retry", job.retry or None),
        ("timeout", job.timeout or None),
        ("mount", job.mount),
        ("filelog", _bool(job.filelog) if job.filelog else None),
        ("no-filelog", "true" if job.filelog is False else None),
        ("filelog-stdout", scalar(job.filelog_stdout) if job.filelog_stdout else None),
        ("filelog-stderr", scalar(job.filelog_stderr) if job.filelog_stderr else None),
        ("port", job.port),
        ("publish", quoted("/") if job.publish else None),
        ("replicas", job.replicas),
        ("health-check-http", scalar(job.health_check_http) if job.health_check_http else None),
        (
            "health-check-script",
            scalar(job.health_check_script) if job.health_check_script else None,
        ),
        ("wait", "true" if job.wait and job.kind == "one-off" else None),
    ]
    pairs.extend((key, str(value)) for key, value in optional if value is not None)
    lines = [f"- {pairs[0][0]}: {pairs[0][1]}"]
    lines.extend(f"  {key}: {value}" for key, value in pairs[1:])
    return lines


def render(jobs: Iterable[Job], header: str = "") -> str:
    """The whole file; scheduled jobs without an accepted schedule are left out
    (loading them would run them at once as one-off jobs) and listed in a comment."""
    lines: list[str] = []
    if header:
        lines.extend(f"# {line}".rstrip() for line in header.splitlines())
    lines.append("---")
    skipped: list[str] = []
    for job in jobs:
        if job.kind == "scheduled" and not job.schedule:
            skipped.append(job.name)
            continue
        lines.extend(render_job(job))
    if skipped:
        lines.append("# left out until their schedule is fixed: " + ", ".join(skipped))
    return "\n".join(lines) + "\n"


def _bool(value: bool | None) -> str:
    return "true" if value else "false"
