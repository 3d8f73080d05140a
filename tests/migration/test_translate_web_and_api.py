"""Grid webservice lines, and the tool's current jobs from the jobs API."""

from __future__ import annotations

import pytest

from bot.migration.apijobs import translate_api_jobs
from bot.migration.model import GridWebservice, Severity
from bot.migration.translate import translate_grid

from .helpers import problems, set_fields


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("webservice --backend=gridengine lighttpd start", ("lighttpd", "php8.2", "")),
        (
            "webservice --backend gridengine uwsgi-python restart",
            ("uwsgi-python", "python3.11", ""),
        ),
        ("webservice --backend=gridengine start", ("lighttpd", "php8.2", "")),
        ("webservice --backend=gridengine lighttpd-plain start", ("lighttpd-plain", None, "")),
        ("webservice --backend=gridengine uwsgi-plain start", ("uwsgi-plain", None, "")),
        ("webservice --backend=gridengine nodejs start", ("nodejs", "node20", "")),
        ("webservice --backend=gridengine tomcat start", ("tomcat", "jdk17", "")),
        (
            "webservice --backend=gridengine generic start -- node server.js --port $PORT",
            ("generic", "bookworm", "node server.js --port $PORT"),
        ),
        ("webservice --release buster --backend=gridengine nodejs start", ("nodejs", "node20", "")),
        ("webservice python3.11 start", ("python3.11", "python3.11", "")),
        ("webservice --backend=kubernetes php8.2 restart", ("php8.2", "php8.2", "")),
    ],
)
def test_webservice_line(line: str, expected: tuple[str, str | None, str]) -> None:
    translation = translate_grid(line)
    assert translation.jobs == ()
    assert translation.webservice == GridWebservice(*expected, source=line)
    assert problems(translation, Severity.WARNING) == set()


@pytest.mark.parametrize("line", ["webservice stop", "webservice --backend=gridengine status"])
def test_webservice_actions_that_define_nothing(line: str) -> None:
    translation = translate_grid(line)
    assert translation.webservice is None
    assert problems(translation) == {"webservice-type"}


def test_unknown_webservice_type_is_a_warning() -> None:
    translation = translate_grid("webservice --backend=gridengine frobnicator start")
    assert translation.webservice is None
    assert problems(translation, Severity.WARNING) == {"webservice-type"}


# The jobs API answer of toolforge-api.md section 2.3, with include_unset=true.
API_JOBS = {
    "jobs": [
        {"name": "daily-report", "cmd": "./daily.sh", "imagename": "python3.11", "filelog": True,
         "filelog_stdout": "/data/project/mybot/daily-report.out",
         "filelog_stderr": "/data/project/mybot/daily-report.err", "emails": "onfailure",
         "mount": "all", "memory": "0.5Gi", "cpu": "0.1", "image": "python3.11",
         "image_state": "stable", "job_type": "scheduled", "timeout": 0, "retry": 0,
         "schedule": "@daily", "schedule_actual": "22 5 * * *",
         "status": {"short": "succeeded", "messages": []}},
        {"name": "api", "cmd": "web", "imagename": "tool-mybot/tool-mybot:latest",
         "filelog": False, "filelog_stdout": None, "filelog_stderr": None, "emails": "none",
         "mount": "none", "memory": "1.0Gi", "cpu": "0.1",
         "image": "tool-mybot/tool-mybot:latest", "image_state": "stable",
         "job_type": "continuous", "continuous": True, "replicas": 2, "port": 8000,
         "port_protocol": "tcp", "health_check": {"path": "/healthz", "type": "http"},
         "status": {"short": "running", "messages": []}},
        {"name": "backfill", "cmd": "python3 backfill.py --all", "imagename": "python3.11",
         "filelog": True, "emails": "none", "mount": "all", "memory": "0.5Gi", "cpu": "0.1",
         "image": "python3.11", "image_state": "stable", "job_type": "one-off", "retry": 2,
         "status": {"short": "failed", "messages": ["exitcode 1"]}},
        {"name": "old", "cmd": "perl old.pl", "image": "perl5.32", "image_state": "deprecated",
         "memory": "3000Mi", "mount": "all", "filelog": "True", "continuous": True,
         "filelog_stdout": "/data/project/mybot/logs/old.log", "cpu": "500m"},
    ],
    "messages": {"info": [], "warning": [], "error": []},
}  # fmt: skip


def test_current_jobs_are_carried_over_minus_server_defaults() -> None:
    translation = translate_api_jobs(API_JOBS, tool="mybot")
    assert [set_fields(j) for j in translation.jobs] == [
        {"name": "daily-report", "command": "./daily.sh", "kind": "scheduled",
         "image": "python3.11", "schedule": "@daily", "emails": "onfailure"},
        {"name": "api", "command": "web", "kind": "continuous",
         "image": "tool-mybot/tool-mybot:latest", "mem": "1Gi", "port": 8000, "replicas": 2,
         "health_check_http": "/healthz"},
        {"name": "old", "command": "perl old.pl", "kind": "continuous", "image": "perl5.32",
         "mem": "3000Mi", "cpu": "500m", "filelog_stdout": "logs/old.log"},
    ]  # fmt: skip
    assert translation.current_jobs == ("daily-report", "api", "backfill", "old")
    assert problems(translation) == {"one-off", "already-migrated", "image-deprecated"}


def test_old_api_shape_bare_list_and_garbage_entries() -> None:
    translation = translate_api_jobs(
        [{"name": "x", "cmd": "./x", "image": "bookworm", "schedule": "0 * * * *"}, "junk", {}],
        tool="t",
    )
    assert [(j.name, j.kind, j.schedule) for j in translation.jobs] == [
        ("x", "scheduled", "0 * * * *")
    ]
