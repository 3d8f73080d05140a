"""The routes real clients call: trailing slashes, documents, tool-wide logs, live streams."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import yaml

from bot.toolforge.sandbox import Sandbox
from bot.toolforge.sandbox._openapi import SPECS
from tests.sandbox.conftest import JOBS

WAIT = 60.0  # seconds a stream may take to show what the test waits for


async def test_paths_answer_with_and_without_a_trailing_slash(http: httpx.AsyncClient) -> None:
    for path in ("jobs", "images", "quotas", "jobs/webservice"):
        base = f"/jobs/v1/tool/sample-web/{path}"
        plain, slashed = await http.get(base), await http.get(base + "/")
        assert plain.status_code == slashed.status_code == 200, path
        assert plain.json() == slashed.json()


async def test_each_service_serves_its_openapi_document(http: httpx.AsyncClient) -> None:
    for service in ("jobs", "builds"):
        served = (await http.get(f"/{service}/openapi.json")).json()
        published = yaml.safe_load((SPECS / f"{service}-api.openapi.yaml").read_text())
        assert served == published
    assert (await http.get("/logs/openapi.json")).status_code == 200


async def test_the_tool_wide_logs_merge_job_output_and_job_events(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    await http.post(f"{JOBS.format('sample-web')}/webservice/restart")
    sandbox.advance(30)
    url = "/logs/v1/tool/sample-web/logs?direction=oldest_first"
    entries = (await http.get(url)).json()["data"]["logs"]
    assert {e["source"] for e in entries} == {"run-logs", "jobs"}
    restarted = [e for e in entries if e["source"] == "jobs"]
    assert restarted[0]["event_type"] == "restarted"
    assert restarted[0]["job_name"] == "webservice" and restarted[0]["user_name"] == "sample-web"
    run_logs = [e for e in entries if e["source"] == "run-logs"]
    assert all(e["job_name"] == "webservice" and e["pod"] for e in run_logs)
    assert [e["datetime"] for e in entries] == sorted(e["datetime"] for e in entries)
    only_events = (await http.get(url + "&sources=jobs")).json()["data"]["logs"]
    assert only_events == restarted


async def test_the_since_window_leaves_old_lines_out(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    url = "/logs/v1/tool/sample-cron/job/purge-cache/logs"
    assert len((await http.get(url)).json()["data"]["logs"]) == 2
    sandbox.advance(2 * 3600)
    assert (await http.get(url)).status_code == 404, "nothing in the last hour"
    older = (await http.get(url + "?since=3h")).json()["data"]["logs"]
    assert [e["message"] for e in older] == [
        "purging entries older than 7d", "error: cache directory missing"
    ]  # fmt: skip
    assert (await http.get(url + "?since=3h&until=2h30m")).status_code == 404


async def test_jobs_that_log_to_files_have_no_lines_in_the_logs_service(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    body = {"name": "chatty", "cmd": "echo hello", "imagename": "python3.11"}  # filelog: default
    await http.post(JOBS.format("sample-empty"), json=body)
    sandbox.advance(20)
    assert (await http.get("/logs/v1/tool/sample-empty/job/chatty/logs")).status_code == 404
    old = await http.get("/jobs/v1/tool/sample-empty/jobs/chatty/logs")
    assert old.json() == {"error": ["Job 'chatty' has file logging enabled, which is "
                                    "incompatible with the logs command"]}  # fmt: skip


async def _lines(stream: AsyncIterator[str], count: int) -> list[str]:
    """The next ``count`` non-empty lines of an open stream."""
    lines: list[str] = []
    while len(lines) < count:
        line = await anext(stream)
        if line:
            lines.append(line)
    return lines


async def test_following_job_logs_streams_new_lines_as_ndjson(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    url = "/logs/v1/tool/sample-crashloop/job/irc-bot/logs_stream?lines=2"
    async with http.stream("GET", url, timeout=WAIT) as stream:
        assert stream.status_code == 200
        lines = stream.aiter_lines()
        backlog = await asyncio.wait_for(_lines(lines, 2), WAIT)
        sandbox.append_logs("sample-crashloop", "irc-bot", ["reconnecting"])
        (fresh,) = await asyncio.wait_for(_lines(lines, 1), WAIT)
    assert [json.loads(line)["message"] for line in backlog] == [
        "    main()", "ConnectionRefusedError: [Errno 111] Connection refused"
    ]  # fmt: skip
    assert json.loads(fresh)["message"] == "reconnecting"
    assert set(json.loads(fresh)) == {"pod", "container", "datetime", "message"}


async def test_the_jobs_apis_own_log_endpoint_follows_too(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    url = "/jobs/v1/tool/sample-crashloop/jobs/irc-bot/logs?follow=true&lines=1"
    async with http.stream("GET", url, timeout=WAIT) as stream:
        assert stream.headers["content-type"] == "text/plain; charset=utf8"
        lines = stream.aiter_lines()
        await asyncio.wait_for(_lines(lines, 1), WAIT)
        sandbox.advance(400)  # the next crash writes its traceback
        fresh = await asyncio.wait_for(_lines(lines, 5), WAIT)
    assert json.loads(fresh[-1])["message"].startswith("ConnectionRefusedError")


async def test_following_a_build_streams_its_log_until_it_ends(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    url = "/builds/v1/tool/sample-web/builds"
    started = await http.post(url, json={"source_url": "https://example.org/app.git"})
    build_id = started.json()["new_build"]["name"]
    pending = await http.get(f"{url}/{build_id}/logs?follow=false")
    assert pending.json() == {"error": [f"Error getting the logs for {build_id}: pipelineRun "
                                        "not yet started"]}  # fmt: skip

    async def follow() -> list[str]:
        async with http.stream("GET", f"{url}/{build_id}/logs?follow=True", timeout=WAIT) as s:
            return [json.loads(line)["line"] async for line in s.aiter_lines() if line]

    following = asyncio.create_task(follow())
    for _ in range(8):  # the stream is open while the build runs; it ends with the build
        await asyncio.sleep(0.05)
        sandbox.advance(10)
    lines = await asyncio.wait_for(following, WAIT)
    assert lines[0].startswith("[step-clone] ") and lines[-1].endswith("Saving "
        "tools-harbor.wmcloud.org/tool-sample-web/tool-sample-web:latest...")  # fmt: skip
