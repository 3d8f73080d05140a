"""The migration's judgements, one case each: when a job counts as up, which process types
the jobs need, how a job is defined again for undo."""

from __future__ import annotations

from typing import Any

import pytest

from bot.front import FrontAnswer
from bot.migration.apispec import restoring_spec
from bot.migration.model import Job as Planned
from bot.toolforge import Job
from commands.migrate.health import Expected, judge
from commands.migrate.processes import needed_process_types

IMAGE = "tool-mytool/tool-mytool:latest"


def _job(**fields: Any) -> Job:
    data = {"name": "bot", "job_type": "continuous", "image": IMAGE, **fields}
    return Job.from_api(data)


def _status(
    short: str, duration: str = "", messages: tuple[str, ...] = (), **more: str
) -> dict[str, Any]:
    return {"short": short, "duration": duration, "messages": list(messages), **more}


CONTINUOUS = Expected("bot", "continuous", IMAGE)
WEB = Expected("bot", "continuous", IMAGE, web=True)
SCHEDULED = Expected("bot", "scheduled", IMAGE, last_run="2026-11-01T00:00:00Z")


@pytest.mark.parametrize(
    ("expected", "status", "front", "outcome", "said"),
    [
        (CONTINUOUS, _status("running", "45s"), None, "ok", "running for 45s"),
        (CONTINUOUS, _status("running", "8s"), None, "pending", "not yet 30s"),
        (CONTINUOUS, _status("pending", "2s", ("initializing",)), None, "pending", "initializing"),
        (CONTINUOUS, _status("pending", "4s", ("restarted (1)", "exitcode 1")), None, "failing",
         "crash-looping (restarted (1), exitcode 1)"),
        (CONTINUOUS, _status("running", "1m", ("restarted (3)",)), None, "failing",
         "crash-looping"),
        (WEB, _status("running", "1m"), FrontAnswer("u", "tool", 200), "ok",
         "u answered HTTP 200"),
        (WEB, _status("running", "1m"), FrontAnswer("u", "no-webservice", 503), "pending",
         "but the front proxy answered with its 'No webservice' page (HTTP 503)"),
        (WEB, _status("running", "1m"), FrontAnswer("u", "timeout", detail="5"), "pending",
         "running, but "),
        # a scheduled job whose last run is the one from before it was loaded: not run yet,
        # whatever that old run did
        (SCHEDULED, _status("failed", "3s", ("exitcode 2",),
                            previous_schedule="2026-11-01T00:00:00Z"), None, "ok",
         "it has not run since"),
        (SCHEDULED, _status("failed", "3s", ("exitcode 2",),
                            previous_schedule="2026-11-02T00:00:00Z"), None, "failing",
         "its run failed (exitcode 2)"),
        (SCHEDULED, _status("succeeded", "3s", previous_schedule="2026-11-02T00:00:00Z"), None,
         "ok", "ran and succeeded"),
        (SCHEDULED, _status("running", "3s", previous_schedule="2026-11-02T00:00:00Z"), None,
         "pending", "not finished"),
    ],
)  # fmt: skip
def test_judge(
    expected: Expected, status: dict[str, Any], front: FrontAnswer | None, outcome: str, said: str
) -> None:
    verdict = judge(expected, _job(job_type=expected.kind, status=status), front)
    assert (verdict.outcome, said in verdict.said) == (outcome, True), verdict


def test_a_job_missing_or_on_another_image_is_failing() -> None:
    assert judge(CONTINUOUS, None, None).said == "missing: it is not defined"
    old = judge(CONTINUOUS, _job(image="python3.9", status=_status("running", "9d")), None)
    assert (old.outcome, old.said) == ("failing", "still on python3.9")
    harbor = _job(image=f"tools-harbor.wmcloud.org/{IMAGE}", status=_status("running", "1m"))
    assert judge(CONTINUOUS, harbor, None).outcome == "ok"


def test_process_types_needed_are_bare_commands_and_planned_names_on_the_image() -> None:
    jobs = [
        Planned("relay", "irc-relay", image=IMAGE),
        Planned("index", "launcher rebuild --full", image=IMAGE),
        Planned("report", "python3 report.py", image=IMAGE),  # a program, not a process type
        Planned("stats", "update-stats", image="php7.4"),  # not on the built image
        Planned("tail", "./run.sh", image=IMAGE),
    ]
    needed = needed_process_types(jobs, IMAGE, planned={"rebuild"})
    assert needed == {"irc-relay": ["relay"], "rebuild": ["index"]}


def test_a_job_is_defined_again_from_what_its_owner_set() -> None:
    continuous = {
        "name": "web", "cmd": "web", "imagename": IMAGE, "image": IMAGE, "job_type":
        "continuous", "continuous": True, "port": 8000, "publish": "/", "replicas": 2,
        "health_check": {"type": "http", "path": "/healthz"}, "status": {"short": "running"},
    }  # fmt: skip
    spec = restoring_spec(continuous)
    assert spec is not None and "image" not in spec and "status" not in spec
    assert (spec["publish"], spec["replicas"], spec["health_check"]["path"]) == ("/", 2, "/healthz")
    old = {"name": "cron", "cmd": "x", "image": "python3.9", "schedule": "@daily", "retry": 1}
    assert restoring_spec(old) == {
        "name": "cron", "cmd": "x", "imagename": "python3.9", "schedule": "@daily",
        "retry": 1, "job_type": "scheduled",
    }  # fmt: skip
    assert restoring_spec({"name": "once", "cmd": "x", "image": "bookworm",
                           "job_type": "one-off"}) is None  # fmt: skip
