"""ToolforgeClient against the running sandbox: real HTTP, real JSON, real faults."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.errors import (
    ToolforgeError,
    ToolforgeForbidden,
    ToolforgeInvalid,
    ToolforgeNotFound,
    ToolforgeOutcomeUnknown,
    ToolforgeTimeout,
    ToolforgeUnavailable,
)
from bot.toolforge import Job, ToolforgeAuth, ToolforgeClient
from bot.toolforge.sandbox import Sandbox
from tests.support import PATIENCE, wait_until


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox() as running:
        yield running


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[ToolforgeClient]:
    async with ToolforgeClient(sandbox.base_url, timeout=2.0) as api:
        yield api


def _by_name(jobs: list[Job]) -> dict[str, Job]:
    return {job.name: job for job in jobs}


# -- reading the sample tools -----------------------------------------------


async def test_web_service_is_a_published_continuous_job(client: ToolforgeClient) -> None:
    jobs = _by_name(await client.list_jobs("sample-web"))
    web = jobs["webservice"]
    assert web.is_webservice and web.uses_build_service
    assert (web.job_type, web.state, web.port, web.replicas) == ("continuous", "running", 8000, 2)
    assert web.image == "tool-sample-web/tool-sample-web:latest"
    assert web.memory == "1.0Gi" and web.restarts == 0 and not web.filelog
    cache = jobs["refresh-cache"]
    assert not cache.is_webservice
    assert cache.schedule == "@hourly" and cache.schedule_actual not in (None, "@hourly")


async def test_crash_looping_job_shows_its_restarts(client: ToolforgeClient) -> None:
    job = await client.get_job("sample-crashloop", "irc-bot")
    assert job.state == "pending"
    assert job.restarts == 7
    assert job.status_messages == ("restarted (7)", "exitcode 1")


async def test_scheduled_and_one_off_jobs(client: ToolforgeClient) -> None:
    jobs = _by_name(await client.list_jobs("sample-cron"))
    daily = jobs["daily-report"]
    assert daily.job_type == "scheduled" and daily.schedule == "@daily"
    assert daily.schedule_actual is not None and len(daily.schedule_actual.split()) == 5
    assert daily.emails == "onfailure" and daily.state == "succeeded"
    assert jobs["purge-cache"].schedule == jobs["purge-cache"].schedule_actual == "17 */6 * * *"
    assert jobs["backfill"].job_type == "one-off" and jobs["backfill"].state == "failed"


async def test_legacy_tool_is_on_deprecated_prebuilt_images(client: ToolforgeClient) -> None:
    jobs = _by_name(await client.list_jobs("sample-legacy"))
    relay = jobs["irc-relay"]
    assert (relay.image, relay.image_state) == ("python3.9", "deprecated")
    assert relay.filelog and relay.mount == "all" and not relay.uses_build_service
    assert jobs["update-stats"].image == "php7.4"
    assert not relay.up_to_date
    await client.get_job("sample-legacy", "irc-relay")
    assert any("different from what was configured" in w for w in client.last_warnings)
    await client.get_job("sample-web", "webservice")
    assert client.last_warnings == ()


async def test_broken_build_is_the_latest_and_its_log_says_why(client: ToolforgeClient) -> None:
    latest = await client.latest_build("sample-brokenbuild")
    assert latest is not None
    assert (latest.status, latest.state) == ("BUILD_FAILURE", "error")
    assert "toolforge build logs" in latest.message and latest.ref == "main"
    builds = await client.list_builds("sample-brokenbuild")
    assert [b.state for b in builds] == ["error", "ok"]
    older = await client.get_build("sample-brokenbuild", builds[1].build_id)
    assert "@sha256:" in older.destination_image
    log = await client.build_logs("sample-brokenbuild", latest.build_id)
    assert any("No matching distribution found" in line for line in log)


async def test_empty_tool_has_nothing_and_that_is_not_an_error(client: ToolforgeClient) -> None:
    assert await client.list_jobs("sample-empty") == []
    assert await client.list_builds("sample-empty") == []
    assert await client.latest_build("sample-empty") is None
    assert await client.job_logs("sample-empty", "nothing", 10) == []
    assert await client.list_envvar_names("sample-empty") == []


def test_job_parsing_is_lenient_with_old_and_broken_shapes() -> None:
    old = Job.from_api(
        {"name": "relay", "continuous": True, "filelog": "True", "status_short": "Running"}
    )
    assert (old.job_type, old.filelog, old.state) == ("continuous", True, "running")
    cron = Job.from_api({"name": "c", "schedule": "@daily", "filelog": "False"})
    assert (cron.job_type, cron.filelog, cron.state) == ("scheduled", False, "unknown")
    broken = Job.from_api({"status": "weird", "port": "x", "replicas": None, "publish": None})
    assert (broken.name, broken.port, broken.replicas, broken.publish) == ("", None, None, False)
    assert Job.from_api({}).job_type == "one-off"


# -- changing things ----------------------------------------------------------


async def test_a_restart_does_not_cure_a_crash_loop_but_a_new_build_does(
    client: ToolforgeClient, sandbox: Sandbox
) -> None:
    message = await client.restart_job("sample-crashloop", "irc-bot")
    assert "restarted" in message
    assert sandbox.restart_count("sample-crashloop", "irc-bot") == 1
    job = await client.get_job("sample-crashloop", "irc-bot")
    assert (job.state, job.status_messages) == ("pending", ("scheduling",))  # a new pod
    sandbox.advance(30)
    job = await client.get_job("sample-crashloop", "irc-bot")
    assert job.state == "pending" and job.restarts >= 1, "the same image crashes again"

    # The fix is on the repository's main branch: build it, restart onto the new image.
    url = f"{sandbox.gitlab.url}/toolforge-repos/sample-crashloop" if sandbox.gitlab else ""
    build_id = await client.start_build("sample-crashloop", url)
    sandbox.advance(120)
    assert (await client.get_build("sample-crashloop", build_id)).state == "ok"
    await client.restart_job("sample-crashloop", "irc-bot")
    sandbox.advance(60)
    job = await client.get_job("sample-crashloop", "irc-bot")
    assert (job.state, job.restarts) == ("running", 0)


async def test_restarting_a_one_off_job_is_refused(
    client: ToolforgeClient, sandbox: Sandbox
) -> None:
    with pytest.raises(ToolforgeInvalid) as caught:
        await client.restart_job("sample-cron", "backfill")
    assert "Unable to restart a one-off job" in str(caught.value)
    assert "nothing was restarted" in str(caught.value)
    assert sandbox.restart_count("sample-cron", "backfill") == 0


async def test_load_job_creates_then_reports_up_to_date(client: ToolforgeClient) -> None:
    spec = {"name": "hello", "cmd": "echo hi", "imagename": "python3.11", "schedule": "@hourly"}
    assert "created" in await client.load_job("sample-empty", spec)
    assert "already up to date" in await client.load_job("sample-empty", spec)
    (job,) = await client.list_jobs("sample-empty")
    assert (job.name, job.job_type, job.mount, job.filelog) == ("hello", "scheduled", "all", True)


async def test_delete_job_then_it_is_gone(client: ToolforgeClient) -> None:
    before = set(_by_name(await client.list_jobs("sample-cron")))
    await client.delete_job("sample-cron", "purge-cache")
    after = set(_by_name(await client.list_jobs("sample-cron")))
    assert before - after == {"purge-cache"} and after, "that job gone, the others kept"
    with pytest.raises(ToolforgeNotFound, match="nothing was deleted"):
        await client.delete_job("sample-cron", "purge-cache")


async def test_builds_progress_to_success_and_failure(
    client: ToolforgeClient, sandbox: Sandbox
) -> None:
    good = await client.start_build(
        "sample-web", "https://gitlab.example.org/sample-web", ref="main"
    )
    bad = await client.start_build("sample-web", "https://gitlab.example.org/fails-to-build")
    assert good.startswith("sample-web-buildpacks-pipelinerun-")
    assert (await client.get_build("sample-web", good)).state == "pending"
    sandbox.advance_builds()
    assert (await client.get_build("sample-web", good)).state == "running"
    sandbox.advance_builds()
    done = await client.get_build("sample-web", good)
    assert done.state == "ok" and done.end_time and "@sha256:" in done.destination_image
    failed = await client.get_build("sample-web", bad)
    assert failed.state == "error"
    assert any("ERROR" in line for line in await client.build_logs("sample-web", bad))
    assert (await client.latest_build("sample-web")) is not None


async def test_start_build_refusal_says_no_build_was_started(client: ToolforgeClient) -> None:
    with pytest.raises(ToolforgeInvalid) as caught:
        await client.start_build("sample-web", "git@example.org:private.git")
    assert "Failed to resolve ref" in str(caught.value)
    assert "no build was started" in str(caught.value)


async def test_envvars_expose_names_and_values_only_one_by_one(client: ToolforgeClient) -> None:
    assert await client.list_envvar_names("sample-web") == ["TOOL_TOOLSDB_USER", "WEB_DB_PASSWORD"]
    await client.set_envvar("sample-web", "NEW_TOKEN", "abc")
    assert await client.get_envvar("sample-web", "NEW_TOKEN") == "abc"
    with pytest.raises(ToolforgeInvalid, match="nothing was changed"):
        await client.set_envvar("sample-web", "lower", "x")


# -- failures ---------------------------------------------------------------


async def test_unknown_tool_and_job_are_not_found(client: ToolforgeClient) -> None:
    with pytest.raises(ToolforgeNotFound, match="Tool 'no-such-tool' does not exist"):
        await client.list_jobs("no-such-tool")
    with pytest.raises(ToolforgeNotFound, match="Job 'ghost' does not exist"):
        await client.get_job("sample-web", "ghost")


async def test_server_error_becomes_a_clear_sentence(
    client: ToolforgeClient, sandbox: Sandbox
) -> None:
    sandbox.fail_next(status=500)
    with pytest.raises(ToolforgeUnavailable) as read:
        await client.list_jobs("sample-crashloop")
    assert str(read.value) == (
        "the jobs service is unavailable (HTTP 500); the jobs of sample-crashloop were not read."
    )
    sandbox.fail_next(status=500)
    with pytest.raises(ToolforgeOutcomeUnknown) as write:
        await client.restart_job("sample-crashloop", "irc-bot")
    # a 5xx may come after the service acted: never claim that nothing was restarted
    assert str(write.value) == (
        "the jobs service answered HTTP 500 to a request that changes something; it may or "
        "may not have acted, so check the state before trying again."
    )


async def test_hanging_restart_times_out_without_claiming_what_happened(
    sandbox: Sandbox,
) -> None:
    sandbox.hang_next()  # held until the sandbox stops: only the client's timeout ends it
    async with ToolforgeClient(sandbox.base_url, timeout=0.3) as api:
        with pytest.raises(ToolforgeOutcomeUnknown) as caught:
            # the bound only ends a broken test (it would be a TimeoutError, not this)
            await asyncio.wait_for(api.restart_job("sample-crashloop", "irc-bot"), PATIENCE)
    # The POST went out, so the client must not promise nothing happened.
    assert str(caught.value) == (
        "the jobs service did not answer within 0.3 s; it may or may not have acted, "
        "so check the state before trying again."
    )
    assert sandbox.restart_count("sample-crashloop", "irc-bot") == 0
    assert sandbox.job_state("sample-crashloop", "irc-bot") == "pending"


async def test_a_read_that_times_out_says_what_was_not_done(sandbox: Sandbox) -> None:
    sandbox.hang_next()
    async with ToolforgeClient(sandbox.base_url, timeout=0.3) as api:
        with pytest.raises(ToolforgeTimeout) as caught:
            await api.list_jobs("sample-web")
    assert str(caught.value).startswith("the jobs service did not answer within 0.3 s; ")
    assert "may or may not" not in str(caught.value)


async def test_get_is_retried_once_after_503(client: ToolforgeClient, sandbox: Sandbox) -> None:
    path = "/jobs/v1/tool/sample-web/jobs"
    sandbox.fail_next(status=503, path_prefix=path)
    assert len(await client.list_jobs("sample-web")) == 2
    assert sandbox.requests.count(("GET", path)) == 2

    sandbox.fail_next(status=503, count=2, path_prefix=path)
    with pytest.raises(ToolforgeUnavailable, match=r"HTTP 503"):
        await client.list_jobs("sample-web")
    assert sandbox.requests.count(("GET", path)) == 4


async def test_restart_is_never_retried(client: ToolforgeClient, sandbox: Sandbox) -> None:
    path = "/jobs/v1/tool/sample-crashloop/jobs/irc-bot/restart"
    sandbox.fail_next(status=503)
    with pytest.raises(ToolforgeOutcomeUnknown, match="may or may not have acted"):
        await client.restart_job("sample-crashloop", "irc-bot")
    assert sandbox.requests.count(("POST", path)) == 1
    assert sandbox.restart_count("sample-crashloop", "irc-bot") == 0


async def test_unreachable_gateway_is_unavailable() -> None:
    async with Sandbox() as gone:
        url = gone.base_url
    async with ToolforgeClient(url, timeout=1.0) as api:
        with pytest.raises(ToolforgeUnavailable, match="could not connect"):
            await api.list_jobs("sample-web")
        assert await api.healthz() is False


async def test_names_that_would_change_the_path_never_reach_the_api(
    client: ToolforgeClient, sandbox: Sandbox
) -> None:
    with pytest.raises(ToolforgeInvalid, match="not a valid job name"):
        await client.restart_job("sample-web", "../../sample-cron/jobs/daily-report")
    assert sandbox.requests == []


# -- logs ---------------------------------------------------------------------


async def test_logs_follow_pages_and_come_oldest_first(
    client: ToolforgeClient, sandbox: Sandbox
) -> None:
    sandbox.append_logs("sample-web", "webservice", [f"request {i}" for i in range(1200)])
    entries = await client.job_logs("sample-web", "webservice", 1100)
    assert len(entries) == 1100
    assert entries[-1].message == "request 1199" and entries[0].message == "request 100"
    assert [e.datetime for e in entries] == sorted(e.datetime for e in entries)
    path = "/logs/v1/tool/sample-web/job/webservice/logs"
    assert sandbox.requests.count(("GET", path)) == 3  # 500 + 500 + 100


async def test_logs_skip_placeholder_entries(client: ToolforgeClient) -> None:
    entries = await client.job_logs("sample-web", "webservice", 100)
    assert entries and all(e.pod != "nopod" for e in entries)
    assert entries[-1].message == "GET / 200 3.1ms"
    assert [e.message for e in await client.job_logs("sample-web", "webservice", 1)] == [
        "GET / 200 3.1ms"
    ]


# -- authentication -----------------------------------------------------------


async def test_bearer_token_is_sent_and_never_shown() -> None:
    async with Sandbox(require_token="tok-123-SECRET") as gateway:
        async with ToolforgeClient(
            gateway.base_url, auth=ToolforgeAuth(token="tok-123-SECRET")
        ) as api:
            assert len(await api.list_jobs("sample-web")) == 2
        async with ToolforgeClient(
            gateway.base_url, auth=ToolforgeAuth(token="wrong-SECRET")
        ) as api:
            with pytest.raises(ToolforgeForbidden) as caught:
                await api.restart_job("sample-web", "webservice")
            assert await api.healthz() is True  # health is open without credentials
    assert str(caught.value) == (
        "Toolforge refused access to tool sample-web (the certificate does not match the tool); "
        "nothing was restarted."
    )
    assert "SECRET" not in repr(ToolforgeAuth(token="tok-123-SECRET"))
    assert gateway.restart_count("sample-web", "webservice") == 0


async def test_self_hosted_mode_uses_each_tools_own_credentials() -> None:
    tokens = {"sample-web": "web-tok", "sample-cron": "cron-tok"}
    async with Sandbox(tool_tokens=tokens) as gateway:
        tool_auth = {tool: ToolforgeAuth(token=token) for tool, token in tokens.items()}
        async with ToolforgeClient(gateway.base_url, tool_auth=tool_auth) as api:
            assert len(await api.list_jobs("sample-web")) == 2
            assert len(await api.list_jobs("sample-cron")) == 3
            with pytest.raises(ToolforgeForbidden, match="tool sample-legacy"):
                await api.list_jobs("sample-legacy")


async def test_unreadable_certificate_is_reported_for_that_tool(client: ToolforgeClient) -> None:
    missing = ToolforgeAuth(cert_file="/nonexistent/client.crt", key_file="/nonexistent/client.key")
    async with ToolforgeClient("https://127.0.0.1:9", tool_auth={"sample-web": missing}) as api:
        with pytest.raises(ToolforgeError, match="certificate for tool sample-web"):
            await api.restart_job("sample-web", "webservice")


# -- health and load ---------------------------------------------------------


async def test_healthz_reflects_the_jobs_service(client: ToolforgeClient, sandbox: Sandbox) -> None:
    assert await client.healthz() is True
    sandbox.fail_next(status=500, path_prefix="/jobs/v1/healthz")
    assert await client.healthz() is False


async def test_200_concurrent_calls_overlap(sandbox: Sandbox) -> None:
    # The sandbox holds every request until all 200 are in flight at once: calls made
    # one after another would never get there, however fast or slow the machine is.
    # (The client's timeout outlasts the wait: held calls that gave up would never
    # let the count reach 200 on a machine slow to open 200 connections.) 200 different
    # URLs: identical reads in flight share one request (the next test).
    sandbox.hold = asyncio.Event()
    async with ToolforgeClient(sandbox.base_url, timeout=PATIENCE) as client:
        calls = asyncio.gather(
            *(client.get_job("sample-cron", f"absent-{i}") for i in range(200)),
            return_exceptions=True,
        )
        try:
            await wait_until(lambda: sandbox.in_flight == 200, "200 requests in flight at once")
        finally:
            sandbox.hold.set()
        results = await calls
    assert all(isinstance(r, ToolforgeNotFound) for r in results), results[:3]
    assert sandbox.max_in_flight == 200


async def test_identical_reads_in_flight_share_one_request(sandbox: Sandbox) -> None:
    # 200 people ask the status of one tool during an outage: the API is asked once.
    sandbox.hold = asyncio.Event()
    async with ToolforgeClient(sandbox.base_url, timeout=PATIENCE) as client:
        calls = asyncio.gather(*(client.list_jobs("sample-cron") for _ in range(200)))
        extra = asyncio.gather(*(client.latest_build("sample-web") for _ in range(50)))
        try:
            await wait_until(lambda: sandbox.in_flight == 2, "the jobs and build reads in flight")
        finally:
            sandbox.hold.set()
        results, builds = await calls, await extra
        assert all([j.name for j in jobs] == [j.name for j in results[0]] for jobs in results)
        assert len(results[0]) == 3
        assert builds[0] is not None and all(b == builds[0] for b in builds)
        jobs_path = "/jobs/v1/tool/sample-cron/jobs"
        build_path = "/builds/v1/tool/sample-web/builds/latest"
        assert sandbox.requests.count(("GET", jobs_path)) == 1, sandbox.requests
        assert sandbox.requests.count(("GET", build_path)) == 1, sandbox.requests
        assert sandbox.max_in_flight == 2
        # Once answered, nothing is kept: the next read asks again.
        await client.list_jobs("sample-cron")
        assert sandbox.requests.count(("GET", jobs_path)) == 2


async def test_changes_are_never_shared(sandbox: Sandbox) -> None:
    sandbox.hold = asyncio.Event()
    async with ToolforgeClient(sandbox.base_url, timeout=PATIENCE) as client:
        restarts = asyncio.gather(*(client.restart_job("sample-cron", "web") for _ in range(3)),
                                  return_exceptions=True)  # fmt: skip
        try:
            await wait_until(lambda: sandbox.in_flight == 3, "three restarts in flight")
        finally:
            sandbox.hold.set()
        await restarts
    assert sum(1 for method, _ in sandbox.requests if method == "POST") == 3


async def test_no_fixed_cap_holds_calls_back(sandbox: Sandbox) -> None:
    # It used to be 256 in flight at most: 1000 status commands then took 1.6 s or more.
    from bot.connections import connection_limit

    calls = 300
    limit = connection_limit()
    assert limit == 0 or limit >= calls, "the open-file limit is too low for this test"
    sandbox.hold = asyncio.Event()
    async with ToolforgeClient(sandbox.base_url, timeout=PATIENCE) as api:
        running = asyncio.gather(
            *(api.get_job("sample-cron", f"absent-{i}") for i in range(calls)),
            return_exceptions=True,
        )
        try:
            await wait_until(lambda: sandbox.in_flight == calls, f"{calls} requests in flight")
        finally:
            sandbox.hold.set()
        results = await running
    assert all(isinstance(r, ToolforgeNotFound) for r in results), results[:3]
