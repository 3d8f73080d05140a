"""What ``logs`` says about a job that writes its output to files (``filelog``).

Such a job's output never reaches the logs service, so forgebot cannot show
it; the answer says where the files are, how to read them, and how to switch
the job to the logs service (migration-facts.md: ``--no-filelog``, the
``no-filelog: true`` key of a jobs file).
"""

from __future__ import annotations

import posixpath

from bot.reply import Bullets, Inline, Link, Reply, Strong, Text
from bot.toolforge import Job

JOB_LOGS_GUIDE = "https://wikitech.wikimedia.org/wiki/Help:Toolforge/Jobs_framework#Job_logs"


def file_path(tool: str, given: object, default_name: str) -> tuple[str, str]:
    """The absolute path of a log file and its form from the tool's home (for the message)."""
    home = f"/data/project/{tool}"  # plan: not a path (forgebot only names it)
    path = str(given) if given else default_name
    full = path if path.startswith("/") else posixpath.normpath(posixpath.join(home, path))
    inside = full.startswith(home + "/")
    short = "~/" + full.removeprefix(home + "/") if inside else full  # plan: not a path
    return full, short


def explain_file_logs(tool: str, job: Job, *, private: bool) -> Reply:
    out_full, out = file_path(tool, job.raw.get("filelog_stdout"), f"{job.name}.out")
    _, err = file_path(tool, job.raw.get("filelog_stderr"), f"{job.name}.err")
    where = f"output in {out}" + (f", errors in {err}" if err != out else " (errors too)")
    items: tuple[tuple[Inline, ...], ...] = (
        (f"where: {where} ({out_full})",),
        (f"read them: ssh login.toolforge.org, then become {tool} and tail -n 50 {out}",),
        (
            "to read them here instead: give the job no-filelog: true in its jobs file and "
            "run toolforge jobs load jobs.yaml (or run it again with --no-filelog); "
            "from then on its output goes to the logs service.",
        ),
        ("guide: ", Link("Job logs", JOB_LOGS_GUIDE)),
    )
    heading = Text.of(
        Strong(f"{tool}/{job.name}"),
        " writes its output to files in the tool's home, not to the logs service, "
        "so I cannot show it:",
    )
    summary = f"{tool}/{job.name} logs to files ({out}); I cannot read them"
    return Reply((heading, Bullets(items)), private=private, summary=summary,
                 meta={"audit": summary})  # fmt: skip
