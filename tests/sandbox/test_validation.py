"""Requests the real jobs, builds and envvars APIs refuse are refused, with their texts."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bot.toolforge.sandbox import SPEC_NOTES, Sandbox
from bot.toolforge.sandbox._openapi import Answer, Call, check_response
from tests.sandbox.conftest import JOBS

EMPTY = JOBS.format("sample-empty")
BASE = {"name": "job", "cmd": "run", "imagename": "python3.11"}
WEB_IMAGE = "tool-sample-web/tool-sample-web:latest"
CONTINUOUS = {**BASE, "job_type": "continuous", "imagename": WEB_IMAGE}


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({**BASE, "schedule": "70 * * * *"}, 'Unable to parse cron expression "70 * * * *" '
         '(Unable to parse cron expression "70": Invalid value \'70\', expected 0-59)'),
        ({**BASE, "schedule": "1-5/2 * * * *"}, 'Unable to parse cron expression "1-5/2 * * * *" '
         '(Unable to parse cron expression "1-5/2": Step syntax is not supported with ranges)'),
        ({**BASE, "schedule": "* * * * 9"}, "Invalid value '9', expected 0-6"),
        ({**BASE, "schedule": "@often"}, "Invalid at-macro '@often', supported macros are: "
         "@hourly, @daily, @weekly, @monthly, @yearly"),
        ({**BASE, "name": "Bad_Name"}, "Invalid job name. See the documentation for the naming "
         "rules: https://w.wiki/6YL8"),
        ({**BASE, "name": "x" * 53}, "Invalid job name, it can't be longer than 52 characters."),
        ({**BASE, "imagename": "python2.7"}, "No such image 'python2.7'"),
        ({**BASE, "imagename": "tool-sample-web/nope:latest"},
         "No such image 'tool-sample-web/nope:latest'"),
        ({**BASE, "mount": "none"}, "Value error, Mount type none is only supported for build "
         "service images"),
        ({**CONTINUOUS, "mount": "none", "filelog": True}, "File logging is only available with "
         "--mount=all"),
        ({**BASE, "memory": "8Gi"}, "Requested memory 8.0Gi is over maximum allowed per "
         "container (4Gi)"),
        ({**BASE, "cpu": "2"}, "Requested CPU 2.0 is over maximum allowed per container (1)"),
        ({**CONTINUOUS, "publish": "/"}, "Value error, publish requires port to be set"),
        ({**CONTINUOUS, "health_check": {"type": "http", "path": "/"}},
         "1 validation error for ContinuousJob\n  Value error, Port must be set for HTTP health "
         "checks"),
    ],
)  # fmt: skip
async def test_semantic_checks_are_400s_with_the_services_texts(
    http: httpx.AsyncClient, body: dict[str, Any], error: str
) -> None:
    answer = await http.post(EMPTY, json=body)
    assert answer.status_code == 400, answer.text
    (message,) = answer.json()["error"]
    assert error in message


@pytest.mark.parametrize(
    ("body", "kind", "where"),
    [
        ({**CONTINUOUS, "port": 70000}, "less_than_equal", ["body", "NewContinuousJob", "port"]),
        ({**CONTINUOUS, "port": 0}, "greater_than_equal", ["body", "NewContinuousJob", "port"]),
        ({**BASE, "retry": 9}, "less_than_equal", ["body", "NewOneOffJob", "retry"]),
        ({**BASE, "job_type": "daemon"}, "literal_error", ["body", "NewOneOffJob", "job_type"]),
        ({**BASE, "job_type": "one-off", "port": 80}, "extra_forbidden",
         ["body", "NewOneOffJob", "port"]),
        ({**CONTINUOUS, "schedule": "@daily"}, "extra_forbidden",
         ["body", "NewContinuousJob", "schedule"]),
        ({**BASE, "filelog_stdout": True}, "path_type", ["body", "NewOneOffJob", "filelog_stdout"]),
        ({**BASE, "memory": "lots"}, "value_error", ["body", "NewOneOffJob", "memory"]),
        ({**CONTINUOUS, "port": 8000, "publish": "/web"}, "string_pattern_mismatch",
         ["body", "NewContinuousJob", "publish"]),
        ({"name": "job", "cmd": "run"}, "missing", ["body", "NewOneOffJob", "imagename"]),
    ],
)  # fmt: skip
async def test_model_violations_are_fastapi_422_details(
    http: httpx.AsyncClient, body: dict[str, Any], kind: str, where: list[str]
) -> None:
    answer = await http.post(EMPTY, json=body)
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert {"type": kind, "loc": where} in [{"type": d["type"], "loc": d["loc"]} for d in detail]


async def test_numbers_as_strings_are_read_as_pydantic_reads_them(http: httpx.AsyncClient) -> None:
    # jobs-cli sends the port as typed on the command line: "8000"
    body = {**CONTINUOUS, "port": "8000", "replicas": "2"}
    assert (await http.post(EMPTY, json=body)).status_code == 201
    job = (await http.get(f"{EMPTY}/job")).json()["job"]
    assert (job["port"], job["replicas"]) == (8000, 2)


async def test_only_one_job_per_tool_can_be_published(http: httpx.AsyncClient) -> None:
    body = {**CONTINUOUS, "name": "second-web", "port": 8080, "publish": "/"}
    answer = await http.post(JOBS.format("sample-web"), json=body)
    assert answer.json()["error"] == [
        "Attempt to create job failed. The job cannot be published because the domain "
        "'sample-web.toolforge.org' and path '/' are already in use by another public job or "
        "webservice."
    ]


async def test_bodies_that_are_not_utf8_or_not_json(http: httpx.AsyncClient) -> None:
    latin1 = "{\"name\": \"café\"}".encode("latin-1")
    headers = {"Content-Type": "application/json"}
    jobs = await http.post(EMPTY, content=latin1, headers=headers)
    assert jobs.status_code == 400
    assert jobs.json() == {"detail": "There was an error parsing the body"}
    builds = await http.post("/builds/v1/tool/sample-empty/builds", content=latin1, headers=headers)
    assert builds.status_code == 400 and "request body has an error" in builds.json()["message"]
    envvars = await http.post("/envvars/v1/tool/sample-empty/envvars", content=latin1,
                              headers=headers)  # fmt: skip
    assert envvars.status_code == 400
    broken = await http.post(EMPTY, content=b'{"name": ', headers=headers)
    assert broken.status_code == 422 and broken.json()["detail"][0]["type"] == "json_invalid"


async def test_builds_requests_are_checked_against_the_document(http: httpx.AsyncClient) -> None:
    url = "/builds/v1/tool/sample-empty/builds"
    missing = await http.post(url, json={"ref": "main"})
    assert missing.status_code == 400 and "source_url" in missing.json()["message"]
    bad = await http.post(url, json={"source_url": "https://example.org/x", "envvars": {"A": "b"}})
    assert bad.json()["error"] == [
        "Not valid environment variables passed: not valid environment variable name, must "
        "match '^[A-Za-z_][A-Za-z_0-9]{2,}$', got 'A'"
    ]


async def test_a_second_load_of_a_one_off_job_is_409_until_it_completed(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    """jobs load POSTs one-off jobs (PATCH only for the others), as jobs-cli does."""
    body = {**BASE, "name": "once", "cmd": "sleep 30"}
    assert (await http.post(EMPTY, json=body)).status_code == 201
    again = await http.post(EMPTY, json=body)
    assert (again.status_code, again.json()) == (
        409, {"error": ["A job with the name once already exists"]}
    )  # fmt: skip
    patched = await http.patch(EMPTY, json=body)
    assert patched.json() == {"job_changed": False, "messages": {"info": [
        "OneOffJobs can't be updated, delete and recreate it instead"], "warning": [],
        "error": []}}  # fmt: skip
    sandbox.advance(40)
    assert (await http.post(EMPTY, json=body)).status_code == 201


def test_the_spec_notes_say_where_the_documents_contradict_themselves() -> None:
    assert any("oneOf" in note and "status" in note for note in SPEC_NOTES)
    assert any("null" in note and "used" in note for note in SPEC_NOTES)


def test_an_answer_outside_the_document_is_caught() -> None:
    call = Call("/v1/tool/x/jobs/a", "get", None, "", {}, {"X-Toolforge-Tool": "x"})
    job = {"name": "a", "cmd": "x", "imagename": "python3.11", "job_type": "one-off",
           "status": {"short": "sleeping", "duration": "1s"}}  # fmt: skip
    answer = Answer(200, httpx.Response(200, json={"job": job}).content, "application/json")
    problem = check_response("jobs", call, answer)
    assert problem is not None and "sleeping" in problem
