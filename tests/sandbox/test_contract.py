"""The sandbox speaks the real Toolforge API's paths, shapes and status codes.

These tests talk plain HTTP (httpx) to it, so they check the contract itself,
not our client's reading of it.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.errors import ToolforgeForbidden
from bot.toolforge import ToolforgeAuth, ToolforgeClient
from bot.toolforge.sandbox import DEFAULT_DATA, Sandbox
from bot.toolforge.sandbox._cron import parse_schedule
from tests.sandbox.conftest import JOBS
from tests.support import PATIENCE, wait_until

ROOT = Path(__file__).resolve().parents[2]


def schedule_actual(tool: str, job: str, schedule: str) -> str:
    return parse_schedule(schedule, tool, job).actual


# -- the sample data -----------------------------------------------------------


def test_sample_tools_maintainers_and_accounts_fit_together() -> None:
    data = tomllib.loads(DEFAULT_DATA.read_text())
    tools = data["tools"]
    assert set(tools) == {
        "sample-web", "sample-crashloop", "sample-cron",
        "sample-legacy", "sample-brokenbuild", "sample-empty",
        # what a "why is my tool down?" diagnosis meets (issue 14)
        "sample-oom", "sample-quota", "sample-classic", "sample-webdown",
        "sample-badgateway", "sample-stuck",
    }  # fmt: skip
    assert tools["sample-web"]["maintainers"] == ["alice", "carol"]
    accounts = data["accounts"]
    for name, tool in tools.items():
        assert tool["maintainers"], name
        assert all(m in accounts for m in tool["maintainers"]), name
    assert all(a["email"].endswith("@example.org") for a in accounts.values())
    assert accounts["root-sre"]["admin"] is True


async def test_every_fake_secret_is_served_and_marked(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    served: list[str] = []
    for tool in sandbox.tools:
        for job in (await http.get(JOBS.format(tool))).json()["jobs"]:
            logs = await http.get(f"/logs/v1/tool/{tool}/job/{job['name']}/logs")
            if logs.status_code == 200:
                served += [e["message"] for e in logs.json()["data"]["logs"]]
        envvars = await http.get(f"/envvars/v1/tool/{tool}/envvars")
        served += [e["value"] for e in envvars.json()["envvars"]]
    secrets = sandbox.fake_secrets
    assert len(secrets) >= 8 and all("SECRET" in s for s in secrets)
    assert all(any(s in text for text in served) for s in secrets)
    # The list is complete: nothing marked SECRET is served without being listed.
    marked = [t for t in served if "SECRET" in t]
    assert all(any(s in t for s in secrets) for t in marked)
    kinds = ["Authorization", "Cookie:", "://botuser:", "password=", "PRIVATE KEY", "glpat-"]
    assert all(any(k in t for t in served) for k in kinds)


def test_schedule_macros_are_seeded_like_the_real_api() -> None:
    # The examples of toolforge-api.md §2.5 (tool mybot, job daily-report).
    assert schedule_actual("mybot", "daily-report", "@hourly") == "22 * * * *"
    assert schedule_actual("mybot", "daily-report", "@daily") == "22 5 * * *"
    assert schedule_actual("mybot", "daily-report", "@weekly") == "22 5 * * 4"
    assert schedule_actual("mybot", "daily-report", "@monthly") == "22 5 29 * *"
    assert schedule_actual("mybot", "x", "17 */6 * * *") == "17 */6 * * *"


# -- jobs API --------------------------------------------------------------------


async def test_create_answers_201_before_defaults_then_get_resolves_them(
    http: httpx.AsyncClient,
) -> None:
    spec = {"name": "nightly", "cmd": "./run.sh", "imagename": "python3.11", "schedule": "@daily"}
    created = await http.post(JOBS.format("sample-empty"), json=spec)
    assert created.status_code == 201
    assert (created.json()["job"]["mount"], created.json()["job"]["filelog"]) == ("none", False)
    shown = (await http.get(JOBS.format("sample-empty") + "/nightly")).json()["job"]
    assert (shown["mount"], shown["filelog"], shown["memory"], shown["cpu"]) == (
        "all", True, "0.5Gi", "0.1",
    )  # fmt: skip
    assert shown["filelog_stdout"] == "/data/project/sample-empty/nightly.out"
    assert (await http.post(JOBS.format("sample-empty"), json=spec)).status_code == 409


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"name": "Bad_Name"}, 400, "Invalid job name"),
        ({"memory": "8Gi"}, 400, "Requested memory 8.0Gi is over maximum allowed"),
        ({"imagename": "python2.7"}, 400, "No such image"),
        ({"mount": "none"}, 400, "Mount type none is only supported"),
        ({"schedule": "every day"}, 400, "Unable to parse cron expression"),
        ({"colour": "blue"}, 422, "Extra inputs are not permitted"),
    ],
)
async def test_job_validation_errors(
    http: httpx.AsyncClient, change: dict[str, Any], status: int, words: str
) -> None:
    spec = {"name": "ok", "cmd": "x", "imagename": "python3.11", "schedule": "@daily", **change}
    answer = await http.post(JOBS.format("sample-empty"), json=spec)
    assert answer.status_code == status
    body = answer.json()
    texts = body["error"] if status == 400 else [d["msg"] for d in body["detail"]]
    assert any(words in text for text in texts), texts


async def test_patch_upserts_and_reports_what_changed(http: httpx.AsyncClient) -> None:
    url = JOBS.format("sample-empty")
    spec = {"name": "bot", "cmd": "bot", "imagename": "python3.11", "continuous": True}
    answers = [await http.patch(url, json=s) for s in (spec, spec, {**spec, "cmd": "bot2"})]
    assert [a.json()["job_changed"] for a in answers] == [True, False, True]
    assert [a.json()["messages"]["info"][0] for a in answers] == [
        "Job bot created in storage and runtime",
        "Job bot is already up to date",
        "Job bot was updated in storage and runtime",
    ]


async def test_restart_and_its_refusals(sandbox: Sandbox, http: httpx.AsyncClient) -> None:
    restart = JOBS.format("sample-cron") + "/{}/restart"
    assert (await http.post(restart.format("backfill"))).json() == {
        "error": ["Unable to restart a one-off job"]
    }
    assert (await http.post(restart.format("ghost"))).status_code == 404
    assert (await http.post(restart.format("purge-cache"))).status_code == 200
    assert sandbox.restart_count("sample-cron", "purge-cache") == 1
    assert sandbox.job_state("sample-cron", "purge-cache") == "pending"  # a run, starting now
    sandbox.advance(6)
    assert sandbox.job_state("sample-cron", "purge-cache") == "running"
    assert sandbox.restart_count("sample-cron", "backfill") == 0


async def test_unknown_tool_and_route_use_the_error_shape(http: httpx.AsyncClient) -> None:
    answer = await http.get(JOBS.format("nope"))
    assert (answer.status_code, answer.json()) == (404, {"error": ["Tool 'nope' does not exist"]})
    assert (await http.get("/jobs/v2/whatever")).status_code == 404
    assert (await http.get("/jobs/v1/healthz")).json()["health"]["status"] == "OK"


# -- logs API -------------------------------------------------------------------


async def test_logs_are_paged_by_next_url(sandbox: Sandbox, http: httpx.AsyncClient) -> None:
    sandbox.append_logs("sample-cron", "purge-cache", [f"line {i}" for i in range(1100)])
    url: str | None = (
        "/logs/v1/tool/sample-cron/job/purge-cache/logs?lines=1050&direction=newest_first"
    )
    sizes = []
    while url:
        data = (await http.get(url)).json()["data"]
        sizes.append(len(data["logs"]))
        url = data["next"]["url"] if data["next"] else None
        if sizes == [500]:
            assert data["logs"][0]["message"] == "line 1099"  # newest first
    assert sizes == [500, 500, 50]


# -- builds API -----------------------------------------------------------------


async def test_started_builds_move_on_step_by_step(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    url = "/builds/v1/tool/sample-empty/builds"
    assert (await http.get(url + "/latest")).json() == {"error": ["No builds exist yet."]}
    started = await http.post(url, json={"source_url": "https://example.org/fail.git"})
    build_id = started.json()["new_build"]["name"]
    states = []
    for _ in range(3):
        build = (await http.get(f"{url}/{build_id}")).json()["build"]
        states.append(build["status"])
        sandbox.advance_builds()
    assert states == ["BUILD_PENDING", "BUILD_RUNNING", "BUILD_FAILURE"]
    log = (await http.get(f"{url}/{build_id}/logs")).text.splitlines()
    assert "ERROR: failed to build: exit status 1" in json.loads(log[-1])["line"]
    assert (await http.put(f"{url}/{build_id}/cancel")).status_code == 409
    refused = await http.post(url, content=b"{", headers={"Content-Type": "application/json"})
    assert refused.status_code == 400 and "request body has an error" in refused.json()["message"]


async def test_the_clock_can_follow_real_time_faster() -> None:
    async with Sandbox() as timed:
        timed.clock.run_in_real_time(speed=1000)  # a build's minute in about 0.07 s
        async with ToolforgeClient(timed.base_url) as api:
            build_id = await api.start_build("sample-web", "https://example.org/app.git")
            states = [""]

            async def finished() -> bool:
                states[0] = (await api.get_build("sample-web", build_id)).state
                return states[0] == "ok"

            deadline = time.monotonic() + PATIENCE
            while not await finished():
                assert time.monotonic() < deadline, f"the build is still {states[0]}"
                await asyncio.sleep(0.05)


# -- envvars API ----------------------------------------------------------------


async def test_envvars_upsert_and_delete_returns_the_old_value(http: httpx.AsyncClient) -> None:
    url = "/envvars/v1/tool/sample-empty/envvars"
    await http.post(url, json={"name": "API_KEY", "value": "one"})
    await http.post(url, json={"name": "API_KEY", "value": "two"})
    assert (await http.get(url + "/API_KEY")).json()["envvar"]["value"] == "two"
    assert (await http.delete(url + "/API_KEY")).json()["envvar"] == {
        "name": "API_KEY", "value": "two",
    }  # fmt: skip
    assert (await http.get(url + "/API_KEY")).status_code == 404


# -- gateway: auth, faults, concurrency ------------------------------------------


async def test_token_gateway_guards_tool_paths_but_not_health() -> None:
    async with Sandbox(require_token="t0k", tool_tokens={"sample-web": "w3b"}) as gateway:
        async with httpx.AsyncClient(base_url=gateway.base_url) as plain:
            bearer = {"Authorization": "Bearer w3b"}
            assert (await plain.get(JOBS.format("sample-web"))).status_code == 403
            assert (await plain.get(JOBS.format("sample-web"), headers=bearer)).status_code == 200
            assert (await plain.get(JOBS.format("sample-cron"), headers=bearer)).status_code == 403
            superuser = {"Authorization": "Bearer t0k"}
            assert (await plain.get(JOBS.format("sample-cron"), headers=superuser)).is_success
            assert (await plain.get("/builds/v1/healthz")).status_code == 200


async def test_fail_next_hits_only_matching_requests(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    sandbox.fail_next(status=502, count=2, path_prefix="/builds/")
    assert (await http.get(JOBS.format("sample-web"))).status_code == 200
    first = await http.get("/builds/v1/tool/sample-web/builds")
    assert first.status_code == 502 and "Bad Gateway" in first.text  # nginx's HTML page
    assert (await http.get("/builds/v1/tool/sample-web/builds")).status_code == 502
    assert (await http.get("/builds/v1/tool/sample-web/builds")).status_code == 200
    assert sandbox.requests[0] == ("GET", "/jobs/v1/tool/sample-web/jobs")


async def test_hang_holds_a_request_until_the_client_gives_up(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    sandbox.hang_next()
    with pytest.raises(httpx.ReadTimeout):
        await http.get(JOBS.format("sample-web"), timeout=0.2)
    assert (await http.get(JOBS.format("sample-web"))).status_code == 200


async def test_hang_can_hold_only_requests_under_a_path(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    sandbox.hang_next(path_prefix="/envvars/")
    assert (await http.get(JOBS.format("sample-web"))).status_code == 200
    with pytest.raises(httpx.ReadTimeout):
        await http.get("/envvars/v1/tool/sample-web/envvars", timeout=0.2)
    assert (await http.get("/envvars/v1/tool/sample-web/envvars")).status_code == 200


async def test_latency_delays_requests_without_serialising_them(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    sandbox.latency = 0.2
    started = time.monotonic()
    answers = await asyncio.gather(*(http.get("/jobs/v1/healthz") for _ in range(20)))
    elapsed = time.monotonic() - started
    assert all(a.status_code == 200 for a in answers)
    assert elapsed >= 0.2  # the latency was applied (a lower bound: load only adds to it)
    # Overlap, proven by count: held requests are answered only once all 20 are in.
    sandbox.latency, sandbox.hold = 0.0, asyncio.Event()
    held = asyncio.gather(*(http.get("/jobs/v1/healthz") for _ in range(20)))
    try:
        await wait_until(lambda: sandbox.in_flight == 20, "20 requests in flight at once")
    finally:
        sandbox.hold.set()
    assert all(a.status_code == 200 for a in await held)
    assert sandbox.max_in_flight == 20


async def test_client_certificates_act_like_the_real_gateway(pki: Path) -> None:
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(pki / "ca.crt"))
    server.load_cert_chain(pki / "server.crt", pki / "server.key")
    server.verify_mode = ssl.CERT_REQUIRED

    def cert(name: str) -> ToolforgeAuth:
        files = {"cert_file": str(pki / f"{name}.crt"), "key_file": str(pki / f"{name}.key")}
        return ToolforgeAuth(**files, verify=str(pki / "ca.crt"))

    tool_auth = {"sample-web": cert("sample-web"), "sample-cron": cert("sample-web")}
    async with Sandbox(ssl_context=server) as gateway:
        assert gateway.base_url.startswith("https://")
        async with ToolforgeClient(
            gateway.base_url, auth=cert("forgebot"), tool_auth=tool_auth
        ) as api:
            assert len(await api.list_jobs("sample-legacy")) == 3  # platform mode: superuser
            assert len(await api.list_jobs("sample-web")) == 2  # self-hosted: the tool's own
            with pytest.raises(ToolforgeForbidden, match="tool sample-cron"):
                await api.list_jobs("sample-cron")  # a certificate for another tool


async def test_forgebot_sandbox_serves_standalone() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "sandbox", "--port", "0",
        stdout=asyncio.subprocess.PIPE,
        cwd=ROOT,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), timeout=8)).decode()
        url = next(word for word in line.split() if word.startswith("http"))
        assert "sample-web" in line and url.startswith("http://127.0.0.1:")
        async with httpx.AsyncClient(base_url=url) as client:
            assert (await client.get(JOBS.format("sample-web"))).status_code == 200
    finally:
        process.terminate()
        await process.wait()
