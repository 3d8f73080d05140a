"""The official Toolforge CLIs behave against the sandbox as against the real service.

Conformance: toolforge-jobs-cli 16.x, toolforge-builds-cli, toolforge-envvars-cli and
toolforge-logs-cli (all on toolforge-weld) from PyPI, run as the tool over real HTTP.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import yaml

from bot.toolforge.sandbox import Sandbox
from tests.sandbox.official_clis import Clis, install

TOOLS = ("sample-web", "sample-crashloop", "sample-empty", "sample-cron")
WAIT = 60.0


@pytest.fixture(scope="module")
def cli_bin() -> Path:
    return install()


@pytest.fixture
async def world(cli_bin: Path, tmp_path: Path) -> AsyncIterator[tuple[Sandbox, Clis]]:
    tokens = {tool: f"token-{tool}" for tool in TOOLS}
    async with Sandbox(tool_tokens=tokens) as box:
        yield box, Clis(cli_bin, tmp_path, box.base_url)
    assert box.spec_violations == []


def as_tool(clis: Clis, tool: str) -> Path:
    return clis.kubeconfig(tool, {"token": f"token-{tool}"})


async def until(condition: Callable[[], bool], what: str) -> None:
    for _ in range(int(WAIT / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"waited {WAIT} s for {what}")


async def test_jobs_list_show_images_quota_dump(world: tuple[Sandbox, Clis]) -> None:
    _, clis = world
    web = as_tool(clis, "sample-web")
    listed = await clis.run(web, "jobs", "list")
    assert listed.code == 0, listed.text
    assert "webservice" in listed.out and "Running for 12d3h" in listed.out
    shown = await clis.run(web, "jobs", "show", "webservice")
    assert "https://sample-web.toolforge.org/" in shown.out and "http: /healthz" in shown.out
    images = await clis.run(web, "jobs", "images")
    assert "tool-sample-web/tool-sample-web:latest" in images.out and "python3.11" in images.out
    quota = await clis.run(web, "jobs", "quota")
    assert "Continuous jobs (including web services)" in quota.out
    dumped = yaml.safe_load((await clis.run(web, "jobs", "dump")).out)
    assert [job["name"] for job in dumped] == ["webservice", "refresh-cache"]
    assert dumped[0]["publish"] == "/" and dumped[0]["port"] == "8000"
    missing = await clis.run(web, "jobs", "show", "ghost")
    assert missing.code == 1 and "Job 'ghost' does not exist" in missing.err


async def test_jobs_logs_and_their_live_tail(world: tuple[Sandbox, Clis]) -> None:
    box, clis = world
    web = as_tool(clis, "sample-web")
    logs = await clis.run(web, "jobs", "logs", "webservice", "--last", "3")
    assert logs.code == 0, logs.text
    assert logs.out.splitlines()[-1].endswith("[job] GET / 200 3.1ms")
    follow = await clis.start(web, "jobs", "logs", "webservice", "-f", "--last", "1")
    assert follow.stdout is not None
    first = await asyncio.wait_for(follow.stdout.readline(), WAIT)
    assert b"GET / 200 3.1ms" in first
    box.append_logs("sample-web", "webservice", ["GET /new 200 1.0ms"])
    fresh = await asyncio.wait_for(follow.stdout.readline(), WAIT)
    assert fresh.decode().rstrip().endswith("GET /new 200 1.0ms")
    follow.terminate()
    await follow.wait()


async def test_restart_does_not_cure_a_crash_loop(world: tuple[Sandbox, Clis]) -> None:
    box, clis = world
    crashloop = as_tool(clis, "sample-crashloop")
    restarted = await clis.run(crashloop, "jobs", "restart", "irc-bot")
    assert restarted.code == 0, restarted.text
    box.advance(20)
    shown = await clis.run(crashloop, "jobs", "show", "irc-bot")
    assert "Pending" in shown.out and "restarted (2). exitcode 1" in shown.out
    refused = await clis.run(as_tool(clis, "sample-cron"), "jobs", "restart", "backfill")
    assert refused.code == 1 and "Unable to restart a one-off job" in refused.err


async def test_run_wait_reports_how_one_off_jobs_end(world: tuple[Sandbox, Clis]) -> None:
    box, clis = world
    empty = as_tool(clis, "sample-empty")
    good = await clis.start(empty, "jobs", "run", "good", "--command", "echo done",
                            "--image", "python3.11", "--no-filelog", "--wait", "60")  # fmt: skip
    bad = await clis.start(empty, "jobs", "run", "bad", "--command", "exit 4",
                           "--image", "python3.11", "--wait", "60")  # fmt: skip
    jobs = box.state.tools["sample-empty"].jobs
    await until(lambda: {"good", "bad"} <= set(jobs), "both jobs to be created")
    box.advance(20)  # jobs-cli looks every 5 s of real time; both have ended by then
    ok, failed = await clis.finish(good), await clis.finish(bad)
    assert ok.code == 0 and "job 'good' completed" in ok.err
    assert failed.code == 1 and "job 'bad' failed" in failed.err
    assert "Failed" in failed.out and "exitcode 4" in failed.out
    logs = await clis.run(empty, "jobs", "logs", "good")
    assert logs.out.rstrip().endswith("[job] done")


async def test_load_twice_delete_and_flush(world: tuple[Sandbox, Clis], tmp_path: Path) -> None:
    box, clis = world
    empty = as_tool(clis, "sample-empty")
    jobs_file = tmp_path / "jobs.yaml"
    jobs_file.write_text(yaml.safe_dump([
        {"name": "web", "command": "web", "image": "python3.11", "continuous": True,
         "port": 8000},
        {"name": "nightly", "command": "echo night", "image": "python3.11",
         "schedule": "@daily"},
        {"name": "once", "command": "sleep 60", "image": "python3.11"},
    ]))  # fmt: skip
    first = await clis.run(empty, "jobs", "load", str(jobs_file))
    assert first.code == 0 and "3 job(s) loaded successfully" in first.err, first.text
    second = await clis.run(empty, "jobs", "load", str(jobs_file))
    assert "Job web is already up to date" in second.out
    assert "Job nightly is already up to date" in second.out
    # the one-off job is created with POST, and it is still running: 409, as on Toolforge
    assert second.code == 1 and "A job with the name once already exists" in second.err
    deleted = await clis.run(empty, "jobs", "delete", "web")
    assert deleted.code == 0 and "web" not in box.state.tools["sample-empty"].jobs
    assert (await clis.run(empty, "jobs", "flush")).code == 0
    assert box.state.tools["sample-empty"].jobs == {}
    assert (await clis.run(empty, "jobs", "list")).out == ""


async def test_build_start_follows_its_log_then_list_show_logs(
    world: tuple[Sandbox, Clis],
) -> None:
    box, clis = world
    assert box.gitlab is not None
    web = as_tool(clis, "sample-web")
    source = f"{box.gitlab.url}/toolforge-repos/sample-web"
    started = await clis.start(web, "build", "start", source)
    builds = box.state.tools["sample-web"].builds
    await until(lambda: len(builds) == 2, "the build to be started")
    for _ in range(10):  # the CLI follows the log while the build runs
        await asyncio.sleep(0.05)
        box.advance(10)
    done = await clis.finish(started)
    assert done.code == 0, done.text
    assert "[step-clone] " in done.out
    assert "Saving tools-harbor.wmcloud.org/tool-sample-web" in done.out
    build_id = builds[0].build_id
    listed = await clis.run(web, "build", "list")
    assert build_id in listed.out and " ok " in listed.out
    shown = await clis.run(web, "build", "show")
    assert f"Build ID: {build_id}" in shown.out and "Status: ok" in shown.out
    logs = await clis.run(web, "build", "logs", build_id)
    assert logs.out == done.out
    quota = await clis.run(web, "build", "quota")
    assert "Capacity" in quota.out


async def test_envvars_create_list_show_delete_quota(world: tuple[Sandbox, Clis]) -> None:
    box, clis = world
    web = as_tool(clis, "sample-web")
    created = await clis.run(web, "envvars", "create", "API_KEY", "s3cr3t")
    assert created.code == 0 and "API_KEY" in created.out
    assert "API_KEY" in (await clis.run(web, "envvars", "list")).out
    assert "s3cr3t" in (await clis.run(web, "envvars", "show", "API_KEY")).out
    quota = await clis.run(web, "envvars", "quota")
    assert "100" in quota.out and "3" in quota.out
    deleted = await clis.run(web, "envvars", "delete", "--yes-im-sure", "API_KEY")
    assert deleted.code == 0 and "API_KEY" not in box.state.tools["sample-web"].envvars
    missing = await clis.run(web, "envvars", "show", "API_KEY")
    assert missing.code != 0 and "Envvar 'API_KEY' does not exist" in missing.text


async def test_logs_cli_reads_the_tool_wide_logs(world: tuple[Sandbox, Clis]) -> None:
    box, clis = world
    web = as_tool(clis, "sample-web")
    await clis.run(web, "jobs", "restart", "webservice")
    box.advance(10)
    events = await clis.run(web, "logs", "--sources", "jobs")
    assert events.code == 0, events.text
    assert "JOB RESTARTED: job 'webservice' restarted by user 'sample-web'" in events.out
    lines = await clis.run(web, "logs", "--job-names", "webservice", "--lines", "2",
                           "--direction", "newest_first")  # fmt: skip
    assert len(lines.out.splitlines()) == 2 and "[webservice] [webservice-" in lines.out


async def test_a_client_certificate_acts_only_for_its_tool(
    cli_bin: Path, tmp_path: Path, pki: Path
) -> None:
    """mTLS as on the real gateway: the certificate's CN is the tool."""
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(pki / "ca.crt"))
    server.load_cert_chain(pki / "server.crt", pki / "server.key")
    server.verify_mode = ssl.CERT_REQUIRED
    async with Sandbox(ssl_context=server) as box:
        clis = Clis(cli_bin, tmp_path, box.base_url)
        cert = {"client-certificate": str(pki / "sample-web.crt"),
                "client-key": str(pki / "sample-web.key")}  # fmt: skip
        own = await clis.run(clis.kubeconfig("sample-web", cert), "jobs", "list")
        assert own.code == 0 and "webservice" in own.out, own.text
        other = await clis.run(clis.kubeconfig("sample-cron", cert), "jobs", "list")
        assert other.code == 1
        assert "the credentials presented do not allow tool 'sample-cron'" in other.err
