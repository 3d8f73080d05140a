"""Jobs and builds live on the sandbox's clock the way they do on Toolforge."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import httpx
import pytest

from bot.toolforge.sandbox import Sandbox
from tests.sandbox.conftest import JOBS

EMPTY = JOBS.format("sample-empty")


async def _job(http: httpx.AsyncClient, tool: str, name: str) -> dict[str, Any]:
    answer = await http.get(f"{JOBS.format(tool)}/{name}")
    assert answer.status_code == 200, answer.text
    job: dict[str, Any] = answer.json()["job"]
    return job


async def _messages(http: httpx.AsyncClient, tool: str, job: str) -> list[str]:
    answer = await http.get(f"/logs/v1/tool/{tool}/job/{job}/logs")
    return [e["message"] for e in answer.json()["data"]["logs"]] if answer.is_success else []


async def test_a_continuous_job_is_scheduled_then_initialises_then_runs(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    spec = {"name": "api", "cmd": "web", "imagename": "tool-sample-web/tool-sample-web:latest",
            "continuous": True, "port": 8000}  # fmt: skip
    await http.post(JOBS.format("sample-web"), json=spec)
    seen = []
    for _ in range(4):
        status = (await _job(http, "sample-web", "api"))["status"]
        seen.append((status["short"], status["messages"]))
        sandbox.advance(2)
    assert seen == [("pending", ["scheduling"]), ("pending", ["initializing"]),
                    ("pending", ["initializing"]), ("running", [])]  # fmt: skip
    assert "Listening at: http://0.0.0.0:8000" in await _messages(http, "sample-web", "api")


async def test_a_crash_loop_outlives_a_restart_and_backs_off(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    job = await _job(http, "sample-crashloop", "irc-bot")
    assert job["status"]["messages"] == ["restarted (7)", "exitcode 1"]
    assert job["status_short"] == "Not running"
    await http.post(f"{JOBS.format('sample-crashloop')}/irc-bot/restart")
    restarts = []
    for _ in range(6):
        sandbox.advance(10)
        status = (await _job(http, "sample-crashloop", "irc-bot"))["status"]
        restarts.append(status["messages"][0] if status["messages"] else status["short"])
    # a fresh pod crashes after 7 s, then waits 10 s, 20 s, 40 s... before each new try,
    # and runs for a moment each time (at 40 s: between its restart at 39 s and its crash)
    assert restarts == ["restarted (1)", "restarted (2)", "restarted (2)", "running",
                        "restarted (3)", "restarted (3)"]  # fmt: skip
    assert "ConnectionRefusedError: [Errno 111] Connection refused" in await _messages(
        http, "sample-crashloop", "irc-bot"
    )


async def test_a_one_off_job_ends_with_its_exit_code_and_vanishes(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    ok = {"name": "hello", "cmd": "echo hello; sleep 4", "imagename": "python3.11",
          "filelog": False}  # fmt: skip
    bad = {"name": "broken", "cmd": "echo trying; exit 3", "imagename": "python3.11",
           "filelog": False, "retry": 1}  # fmt: skip
    for spec in (ok, bad):
        assert (await http.post(EMPTY, json=spec)).status_code == 201
    sandbox.advance(12)
    hello = await _job(http, "sample-empty", "hello")
    assert (hello["status"]["short"], hello["status_short"]) == ("succeeded", "Completed")
    assert "Exit code '0'" in hello["status_long"]
    assert await _messages(http, "sample-empty", "hello") == ["hello"]
    assert (await _job(http, "sample-empty", "broken"))["status"]["short"] == "pending"  # retry
    sandbox.advance(20)
    broken = await _job(http, "sample-empty", "broken")
    assert (broken["status"]["short"], broken["status"]["messages"]) == ("failed", ["exitcode 3"])
    assert await _messages(http, "sample-empty", "broken") == ["trying", "trying"]
    # a failed one-off job keeps its name until Kubernetes collects it, 30 s after it ended
    assert (await http.post(EMPTY, json=bad)).status_code == 409
    assert (await http.post(EMPTY, json=ok)).status_code == 201  # a completed one makes way
    sandbox.advance(31)
    assert (await http.get(f"{EMPTY}/broken")).json() == {"error": ["Job 'broken' does not exist"]}
    assert (await http.post(EMPTY, json=bad)).status_code == 201


@pytest.mark.parametrize("late", [0, 295, 599])  # seconds into the clock's first ten minutes
async def test_a_scheduled_job_runs_at_its_times_and_keeps_its_last_run(
    sandbox: Sandbox, http: httpx.AsyncClient, late: int
) -> None:
    sandbox.advance(late)
    spec = {"name": "tick", "cmd": "echo tick", "imagename": "python3.11", "filelog": False,
            "schedule": "*/10 * * * *"}  # fmt: skip
    await http.post(EMPTY, json=spec)
    job = await _job(http, "sample-empty", "tick")
    assert job["status"]["short"] == "pending" and "previous_schedule" not in job["status"]
    assert job["status_short"] == "Waiting for scheduled time"
    first = job["status"]["next_schedule"]
    # Five minutes past its third run, wherever in the ten minutes the clock started (it starts
    # at the wall clock's time: a fixed 30 min 30 s left the third run still going at some starts).
    until_first = (datetime.fromisoformat(first) - sandbox.clock.now()).total_seconds()
    sandbox.advance(until_first + 25 * 60)
    job = await _job(http, "sample-empty", "tick")
    assert job["status"]["short"] == "succeeded"
    assert job["status"]["previous_schedule"] > first
    assert job["status_short"] == f"Last schedule time: {job['status']['previous_schedule']}"
    assert await _messages(http, "sample-empty", "tick") == ["tick", "tick", "tick"]


async def _build_own_repository(
    sandbox: Sandbox, http: httpx.AsyncClient, tool: str, **params: str
) -> httpx.Response:
    """``toolforge build start`` of the tool's repository in the sandbox's GitLab."""
    assert sandbox.gitlab is not None
    source = f"{sandbox.gitlab.url}/toolforge-repos/{tool}"
    return await http.post(f"/builds/v1/tool/{tool}/builds", json={"source_url": source, **params})


async def test_a_build_moves_on_with_its_log_and_gives_an_image(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    url = "/builds/v1/tool/sample-web/builds"
    started = (await _build_own_repository(sandbox, http, "sample-web")).json()["new_build"]
    build_id = started["name"]
    assert len(started["resolved_ref"]) == 40
    states, lines = [], []
    for _ in range(4):
        build = (await http.get(f"{url}/{build_id}")).json()["build"]
        states.append(build["status"])
        if build["status"] != "BUILD_PENDING":
            logs = (await http.get(f"{url}/{build_id}/logs")).text.splitlines()
            lines.append(len(logs))
        sandbox.advance(25)
    assert states == ["BUILD_PENDING", "BUILD_RUNNING", "BUILD_RUNNING", "BUILD_SUCCESS"]
    assert lines[0] < lines[1] < lines[2], "the log grows while the build runs"
    final = (await http.get(f"{url}/{build_id}/logs")).text.splitlines()
    # "[<container>] <Kubernetes timestamp> <text>", as the builds API streams them
    assert re.fullmatch(r"\[step-build\] \d{4}-\d\d-\d\dT[\d:.]+Z heroku/python 0\.17\.0",
                        json.loads(final[2])["line"])  # fmt: skip
    assert build["destination_image"].startswith(
        "tools-harbor.wmcloud.org/tool-sample-web/tool-sample-web:latest@sha256:"
    )
    images = (await http.get("/jobs/v1/tool/sample-web/images")).json()["images"]
    assert {"shortname": "tool-sample-web/tool-sample-web:latest",
            "image": build["destination_image"]} in images  # fmt: skip


async def test_a_repository_without_a_buildpack_fails_detection(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    url = "/builds/v1/tool/sample-empty/builds"
    started = await _build_own_repository(sandbox, http, "sample-empty")
    build_id = started.json()["new_build"]["name"]
    sandbox.advance(120)
    build = (await http.get(f"{url}/{build_id}")).json()["build"]
    assert build["status"] == "BUILD_FAILURE"
    assert build["message"].endswith(f"Check the logs with `toolforge build logs {build_id}`")
    assert "No buildpack groups passed detection" in (await http.get(f"{url}/{build_id}/logs")).text
    missing = await _build_own_repository(sandbox, http, "sample-empty", ref="no-such-branch")
    assert missing.status_code == 400
    assert missing.json()["error"][0].startswith("Failed to resolve ref no-such-branch, maybe the ")
    assert "/toolforge-repos/sample-empty is not public?" in missing.json()["error"][0]


async def test_quotas_count_what_runs_and_refuse_one_deployment_too_many(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    def used(quota: dict[str, Any], name: str) -> str:
        items = [i for c in quota["categories"] for i in c["items"] if i["name"] == name]
        return str(items[0]["used"])

    for index in range(3):
        spec = {"name": f"worker{index}", "cmd": "work", "imagename": "python3.11",
                "continuous": True, "memory": "1Gi"}  # fmt: skip
        assert (await http.post(EMPTY, json=spec)).status_code == 201
    quota = (await http.get("/jobs/v1/tool/sample-empty/quotas/")).json()["quota"]
    assert used(quota, "Continuous jobs (including web services)") == "3"
    assert used(quota, "Memory") == "3.0Gi"
    assert used(quota, "Total running jobs at once (Kubernetes pods)") == "3"
    spec = {"name": "worker9", "cmd": "work", "imagename": "python3.11", "continuous": True}
    refused = await http.post(EMPTY, json=spec)
    assert (refused.status_code, refused.json()["error"]) == (
        500, ["Out of quota for this kind of job. Please see https://w.wiki/6YLP for details."]
    )  # fmt: skip


async def test_the_web_front_answers_by_the_web_job_state(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    up = await http.get("/", headers={"Host": "sample-web.toolforge.org"})
    assert up.status_code == 200 and "sample-web" in up.text
    assert (await http.get(sandbox.front_url("sample-web"))).status_code == 200
    await http.post(f"{JOBS.format('sample-web')}/webservice/restart")
    restarting = await http.get(sandbox.front_url("sample-web"))
    assert restarting.status_code == 503 and "No webservice" in restarting.text
    sandbox.advance(10)
    assert (await http.get(sandbox.front_url("sample-web"))).status_code == 200
    crashloop = await http.get(sandbox.front_url("sample-crashloop"))
    assert crashloop.status_code == 503, "no published job: the front proxy's page"
    assert (await http.get(sandbox.front_url("no-such-tool"))).status_code == 404
