"""diagnose end to end: the console and the core against the sandbox over real HTTP.

The eight cases a "why is my tool down?" answer must get right, each asked as a
maintainer (who also gets the error lines) and as someone else (who does not).
"""

from __future__ import annotations

import re

import pytest

from bot.core import Bot
from bot.toolforge.sandbox import Sandbox
from tests.conftest import MakeBot
from tests.test_console_e2e import code_in, say

# tool, a maintainer, what the answer must say (public), what only the maintainer sees
CASES = {
    "crash loop": ("sample-crashloop", "alice", [
        "irc-bot crashes at start and is restarted again and again",
        "exit code 1: the program stopped on an error of its own, restarted 7 times",
        "Next: logs sample-crashloop irc-bot",
        "troubleshooting.md#continuous-job-keeps-restarting",
    ], ["ConnectionRefusedError: [Errno 111] Connection refused"]),
    "out of memory": ("sample-oom", "bob", [
        "indexer keeps being killed for using more memory than its limit of 0.5Gi",
        "exit code 137: out of memory", "mem: 1Gi in jobs.yaml; at most 4.0Gi per job",
        "troubleshooting.md#job-killed-with-exit-code-137",
    ], ["loading the category graph of enwiki into memory"]),
    "failed build": ("sample-brokenbuild", "carol", [
        "the latest build sample-brokenbuild-buildpacks-pipelinerun-q9w3e failed (error)",
        "app still runs the previous image",
        "Next: toolforge build logs sample-brokenbuild-buildpacks-pipelinerun-q9w3e",
        "troubleshooting.md#the-latest-build-failed",
    ], ["No matching distribution found for numpy==3.0.0"]),
    "exhausted quota": ("sample-quota", "dave", [
        "indexer cannot start: out of quota for memory",
        "the tool's quota is used up (Memory: 8.0Gi of 8.0Gi",
        "Next: toolforge jobs quota", "troubleshooting.md#out-of-quota",
    ], []),
    "classic web service down": ("sample-classic", "carol", [
        "the classic web service (python311) crashes and is restarted again and again",
        "exit code 1", "reason Error", "answers the proxy's 'No webservice' page",
        "moving it to a jobs-API web service", "Next: migrate sample-classic",
        "classic web service (python3.11): [down] 0 of 1 ready",
    ], []),
    "jobs-API web service down": ("sample-webdown", "alice", [
        "webservice crashes at start and is restarted again and again",
        "answers the proxy's 'No webservice' page", "Next: logs sample-webdown webservice",
    ], ["ModuleNotFoundError: No module named 'flask_caching'"]),
    "front answering 502": ("sample-badgateway", "carol", [
        "the web front answers 502 Bad Gateway", "It must listen on 0.0.0.0",
        "troubleshooting.md#the-web-front-answers-502-bad-gateway",
        "web front: [down] the front proxy answered 502 Bad Gateway",
    ], ["Running on http://127.0.0.1:5000", "It listens on 127.0.0.1:5000"]),
    "healthy tool": ("sample-web", "alice", [
        "Diagnosis of sample-web: [nothing wrong found]",
        "web front: [up]", "answered HTTP 200", "latest build: [build ok]",
    ], []),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(CASES))
async def test_diagnose_explains_the_case(bot: Bot, sandbox: Sandbox, case: str) -> None:
    tool, maintainer, says, private = CASES[case]
    seen = await say(bot, maintainer, f"diagnose {tool}")
    for words in [*says, *private]:
        assert words in seen, f"{case}: {words!r} not in\n{seen}"
    other = "root-sre"
    public = await say(bot, other, f"diagnose {tool}")
    for words in says:
        assert words in public
    for words in private:
        assert words not in public, f"{case}: {words!r} shown to a non-maintainer"
    for secret in sandbox.fake_secrets:
        assert secret not in seen
    healthy = case == "healthy tool"
    assert ("[nothing wrong found]" in seen) == healthy
    assert ("[problem]" in seen or "[warning]" in seen) != healthy


async def test_a_schedule_that_never_fires_and_an_image_that_cannot_be_pulled(bot: Bot) -> None:
    seen = await say(bot, "bob", "diagnose sample-stuck")
    assert "leap-report has never run and never will: its schedule 0 6 30 2 * never fires" in seen
    assert ("bot cannot start: Kubernetes cannot pull its image "
            "tool-sample-stuck/tool-sample-stuck:latest") in seen  # fmt: skip


async def test_an_unknown_tool_an_empty_one_and_a_bad_name(bot: Bot) -> None:
    assert "there is no tool named 'sample-wbe'; did you mean sample-web?" in await say(
        bot, "bob", "diagnose sample-wbe"
    )
    empty = await say(bot, "dave", "diagnose sample-empty")
    assert "sample-empty has no jobs and no web service: nothing runs" in empty
    bad = await say(bot, "bob", "diagnose Sample_Web")
    assert "'Sample_Web' is not a Toolforge tool name" in bad


async def test_parts_that_cannot_be_read_are_named_and_the_rest_answered(
    bot: Bot, sandbox: Sandbox
) -> None:
    sandbox.fail_next(503, count=2, path_prefix="/apis/apps/v1/namespaces/tool-sample-classic")
    sandbox.fail_next(500, count=2, path_prefix="/jobs/v1/tool/sample-classic/quotas")
    seen = await say(bot, "carol", "diagnose sample-classic")
    assert ("[not read] classic web service: the Kubernetes API is unavailable (HTTP 503); "
            "the classic web service of sample-classic was not read.") in seen  # fmt: skip
    assert "[not read] quota: the jobs service is unavailable (HTTP 500)" in seen
    assert "web front: [down] the front proxy answered with its 'No webservice' page" in seen


async def test_the_kubernetes_api_refusing_is_a_clear_sentence(make_bot: MakeBot) -> None:
    from bot.config import KubernetesSettings

    refused = await make_bot()
    down = KubernetesSettings(url="http://127.0.0.1:9", timeout=2)  # nothing listens there
    refused.services.classic.settings = down  # type: ignore[union-attr]
    seen = await say(refused, "carol", "diagnose sample-classic")
    assert ("[not read] classic web service: the Kubernetes API is unavailable (could not "
            "connect)") in seen  # fmt: skip


async def test_the_web_front_timing_out_or_looping(make_bot: MakeBot, sandbox: Sandbox) -> None:
    from bot.config import FrontSettings

    bot = await make_bot(front=FrontSettings(url=f"{sandbox.base_url}/front/{{tool}}/", timeout=1))
    sandbox.front_fault("sample-web", "hang")
    hanging = await say(bot, "bob", "diagnose sample-web")
    assert "front/sample-web/ did not answer within 1 s" in hanging
    sandbox.front_fault("sample-web", "loop")
    looping = await say(bot, "bob", "diagnose sample-web")
    assert re.search(r"front/sample-web/ redirects in a loop \(http://\S+ → http://\S+\)", looping)
    sandbox.front_fault("sample-web", "away")
    away = await say(bot, "bob", "diagnose sample-web")
    assert "a redirect to https://login.example.org/?return=sample-web (another site" in away


async def test_restart_web_restarts_a_classic_web_service(bot: Bot, sandbox: Sandbox) -> None:
    before = await bot.services.classic.find("sample-classic")  # type: ignore[union-attr]
    assert before is not None
    asked = await say(bot, "carol", "restart sample-classic web")
    assert "This will restart the classic web service of sample-classic" in asked
    done = await say(bot, "carol", f"confirm {code_in(asked)}")
    assert f"deleted {before.pods[0].name}" in done
    # the crash is in its image: the new pod crashes too, and the answer says so
    assert "web [crash-looping] new pods, but they fail again" in done
    after = await bot.services.classic.find("sample-classic")  # type: ignore[union-attr]
    assert after is not None and before.pods[0].name not in {p.name for p in after.pods}
    events = await bot.services.store.audit_events(tool="sample-classic")
    assert [(e.action, e.result) for e in reversed(events)] == [
        ("restart", "requested"), ("restart", "failed")
    ]


async def test_restart_web_of_a_healthy_classic_web_service_comes_up(bot: Bot) -> None:
    asked = await say(bot, "dave", "restart sample-legacy web")
    done = await say(bot, "dave", f"confirm {code_in(asked)}")
    assert "web [restarted] 1 new pod(s) ready" in done


async def test_restart_web_needs_a_maintainer_and_a_web_service(bot: Bot) -> None:
    assert "only maintainers of 'sample-classic' may restart it" in await say(
        bot, "bob", "restart sample-classic web"
    )
    assert "sample-cron has no web service" in await say(bot, "bob", "restart sample-cron web")


async def test_status_shows_the_web_front(bot: Bot) -> None:
    assert "[web front: the proxy's 502 Bad Gateway]" in await say(
        bot, "bob", "status sample-badgateway"
    )


async def test_maintainers_says_who_to_ask(bot: Bot) -> None:
    out = await say(bot, "bob", "maintainers sample-classic")
    assert "sample-classic is maintained by carol and dave" in out
    assert "https://toolsadmin.wikimedia.org/tools/id/sample-classic" in out
