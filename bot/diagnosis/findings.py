"""What the facts mean: findings in plain words, each with the next command and a guide.

Pure: a function of :class:`Facts`, so every rule is tested on a table of
facts without a network. A finding is public; what only maintainers may see
(log lines) stays in the facts and is shown apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from bot.classic import ClassicWebService
from bot.diagnosis.explain import (
    doubled_memory,
    exit_code,
    guide_for,
    meaning,
    out_of_memory,
    pull_failure,
    quota_refusal,
)
from bot.diagnosis.facts import Facts, Unread
from bot.reply import Tone
from bot.toolforge import Build, Job

ERROR, WARN, INFO = Tone.ERROR, Tone.WARN, Tone.INFO


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing found. ``command`` is what to run next: a forgebot command when
    ``ours`` (shown with the prefix where the person is), else a shell command."""

    tone: Tone
    text: str
    command: str
    guide: str
    ours: bool = False


def findings(facts: Facts) -> list[Finding]:
    """Everything worth saying, most serious first."""
    found: list[Finding] = []
    web_down = _web_down(facts)
    for job in sorted(facts.job_list, key=lambda j: (not j.is_webservice, j.name)):
        found += _job(facts, job, web_down)
    found += _deprecated(facts)
    found += _classic(facts, web_down)
    found += _front(facts, web_down)
    found += _build(facts)
    found += _quota(facts)
    if not found and _nothing_runs(facts):
        found.append(Finding(INFO, f"{facts.tool} has no jobs and no web service: nothing runs.",
                             "toolforge jobs run --help", "nothing-runs"))  # fmt: skip
    order = {ERROR: 0, WARN: 1, INFO: 2}
    return sorted(found, key=lambda f: order.get(f.tone, 3))


def _nothing_runs(facts: Facts) -> bool:
    return (isinstance(facts.jobs, list) and not facts.jobs and facts.classic is None
            and (facts.front is None or not facts.front.up))  # fmt: skip


def _web_down(facts: Facts) -> str:
    """Why the tool's address has nothing to answer with, as a clause ("" when it does)."""
    front = facts.front
    if front is None or front.kind != "no-webservice" or front.status == 404:
        return ""
    return f"so {front.url} answers the proxy's 'No webservice' page"


def _job(facts: Facts, job: Job, web_down: str) -> list[Finding]:
    name, tool = job.name, facts.tool
    tail = f", {web_down}" if job.is_webservice and web_down else ""
    found: list[Finding] = []
    pulled = pull_failure(job)
    refused = quota_refusal(job)
    code = exit_code(job)
    if pulled:
        found.append(Finding(ERROR, f"{name} cannot start: Kubernetes cannot pull its image "
                             f"{job.image} (it does not exist: never built, or removed){tail}.",
                             "toolforge build start <repository url>", "image-pull"))  # fmt: skip
    elif refused:
        why = refused.removeprefix("Unable to start, ")
        found.append(Finding(ERROR, f"{name} cannot start: {why} (its tool's quota is used "
                             f"up){tail}.",
                             "toolforge jobs quota", "quota-exhausted"))  # fmt: skip
    elif job.job_type == "continuous" and code is not None and job.state != "running":
        found.append(_crash(facts, job, code, tail))
    elif job.job_type == "scheduled":
        found += _scheduled(job, code)
    elif job.job_type == "one-off" and job.state == "failed" and code is not None:
        found.append(Finding(WARN, f"the one-off job {name} failed ({meaning(code)}).",
                             f"logs {tool} {name}", guide_for(code), ours=True))  # fmt: skip
    if not job.up_to_date:
        found.append(Finding(WARN, f"{name} runs a version that differs from its definition "
                             "(someone changed it by hand?).", f"toolforge jobs restart {name}",
                             "rebuild-restart"))  # fmt: skip
    return found


def _deprecated(facts: Facts) -> list[Finding]:
    by_image: dict[str, list[str]] = {}
    for job in facts.job_list:
        if job.image_state == "deprecated":
            by_image.setdefault(job.image, []).append(job.name)
    return [Finding(WARN, f"{_and(names)} {'run' if len(names) > 1 else 'runs'} on the image "
                    f"{image}, which is deprecated and will be removed.", f"migrate {facts.tool}",
                    "image-deprecated", ours=True)
            for image, names in sorted(by_image.items())]  # fmt: skip


def _and(names: list[str]) -> str:
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]


def _crash(facts: Facts, job: Job, code: int, tail: str) -> Finding:
    name, tool = job.name, facts.tool
    again = f", restarted {job.restarts} times" if job.restarts else ""
    if out_of_memory(code):
        limit = job.memory or "0.5Gi"
        larger = doubled_memory(limit, _per_job_memory(facts))
        return Finding(ERROR, f"{name} keeps being killed for using more memory than its limit "
                       f"of {limit} (exit code 137: out of memory{again}){tail}. Give it more "
                       f"memory (mem: {larger} in jobs.yaml; at most {_per_job_memory(facts)} "
                       "per job) or make it use less.", "toolforge jobs load jobs.yaml",
                       "out-of-memory")  # fmt: skip
    return Finding(ERROR, f"{name} crashes at start and is restarted again and again "
                   f"({meaning(code)}{again}){tail}.", f"logs {tool} {name}",
                   guide_for(code), ours=True)  # fmt: skip


def _per_job_memory(facts: Facts) -> str:
    quota = facts.quota if isinstance(facts.quota, list) else []
    for item in quota:
        if item.category == "Per-job limits" and item.name == "Memory":
            return item.limit
    return "4Gi"


def _scheduled(job: Job, code: int | None) -> list[Finding]:
    name = job.name
    schedule = job.schedule or "?"
    shown = job.schedule_actual
    actual = f" (actually {shown})" if shown not in (None, schedule) else ""
    if job.previous_schedule is None and job.next_schedule is None:
        return [Finding(ERROR, f"{name} has never run and never will: its schedule {schedule}"
                        f"{actual} never fires.", f"toolforge jobs show {name}",
                        "schedule-never-ran")]  # fmt: skip
    if job.previous_schedule is None:
        return [Finding(INFO, f"{name} has not run yet; its first run is at {job.next_schedule}.",
                        f"toolforge jobs show {name}", "schedule-never-ran")]  # fmt: skip
    if job.state == "failed" and code is not None:
        return [Finding(WARN, f"the last run of {name} failed ({meaning(code)}).",
                        f"toolforge jobs logs {name}", guide_for(code))]  # fmt: skip
    return []


def _classic(facts: Facts, web_down: str) -> list[Finding]:
    web = facts.classic
    if not isinstance(web, ClassicWebService):
        return []
    tool, kind = facts.tool, web.wstype
    tail = f", {web_down}" if web_down else ""
    found: list[Finding] = []
    waiting, ended = web.waiting, web.last_exit
    if not web.running and waiting is not None and "pull" in waiting.waiting_reason.lower():
        found.append(Finding(ERROR, f"the classic web service ({kind}) cannot start: Kubernetes "
                             f"cannot pull its image {web.image} ({waiting.waiting_reason}){tail}.",
                             "webservice buildservice start", "image-pull"))  # fmt: skip
    elif not web.running and ended is not None and ended.last_exit_code is not None:
        code, reason = ended.last_exit_code, ended.last_reason
        why = meaning(code, reason) + (f", reason {reason}" if reason else "")
        if out_of_memory(code, reason):
            why += f"; its limit is {web.memory_limit or '512Mi'}"
            command = f"webservice {kind} restart --mem {doubled_memory(web.memory_limit, '4Gi')}"
        else:
            command = "webservice logs"
        found.append(Finding(ERROR, f"the classic web service ({kind}) crashes and is restarted "
                             f"again and again ({why}; {web.restarts} restarts){tail}.", command,
                             guide_for(code, reason)))  # fmt: skip
    elif not web.running:
        found.append(Finding(WARN, f"the classic web service ({kind}) has no pod ready "
                             f"({web.ready} of {web.replicas}){tail}.", f"restart {tool} web",
                             "classic-down", ours=True))  # fmt: skip
    images = facts.images if isinstance(facts.images, dict) else None
    if images is not None and kind != "buildservice" and web.image not in images.values():
        found.append(Finding(WARN, f"the classic web service runs {web.image}, an image no "
                             "longer offered (deprecated or removed).", f"migrate {tool}",
                             "image-deprecated", ours=True))  # fmt: skip
    found.append(Finding(INFO, "it is a classic web service (webservice start): moving it to a "
                         "jobs-API web service (a published continuous job) puts it with the "
                         "tool's other jobs.", f"migrate {tool}", "web-job",
                         ours=True))  # fmt: skip
    return found


def _front(facts: Facts, web_down: str) -> list[Finding]:
    front, tool = facts.front, facts.tool
    if front is None or front.up:
        return []
    web = [j for j in facts.job_list if j.is_webservice]
    named = web[0].name if web else "webservice"
    if front.kind == "proxy-error" and front.status == 502:
        return [Finding(ERROR, "the web front answers 502 Bad Gateway: the web service runs, but "
                        "nothing answers where the proxy connects. It must listen on 0.0.0.0 at "
                        "the port in $PORT (8000), not 127.0.0.1.", f"logs {tool} {named}",
                        "front-502", ours=True)]  # fmt: skip
    if front.kind == "no-webservice":
        return []  # a web service's own finding says why; a bot needs none
    if front.kind == "tool":
        return [Finding(ERROR, f"the web service itself fails: {front.sentence()}.",
                        f"logs {tool} {named}", "front-500", ours=True)]  # fmt: skip
    if front.kind in ("timeout", "redirect-loop", "proxy-error"):
        return [Finding(ERROR, f"the web front: {front.sentence()}.", f"logs {tool} {named}",
                        "front-silent", ours=True)]  # fmt: skip
    if front.kind == "not-a-dns-label":
        return [Finding(INFO, front.sentence() + ".", f"status {tool}", "front-silent",
                        ours=True)]  # fmt: skip
    return [Finding(WARN, f"the web front could not be checked: {front.sentence()}.",
                    f"status {tool}", "front-silent", ours=True)]  # fmt: skip


def _build(facts: Facts) -> list[Finding]:
    build = facts.build
    if not isinstance(build, Build) or build.state not in ("error", "timeout"):
        return []
    uses = [j.name for j in facts.job_list if j.uses_build_service]
    verb = "run" if len(uses) > 1 else "runs"
    still = f"; {_and(uses)} still {verb} the previous image" if uses else ""
    excerpt = " (its failure excerpt is below)" if facts.build_excerpt else ""
    return [Finding(WARN if uses else ERROR, f"the latest build {build.build_id} failed "
                    f"({build.state}){still}{excerpt}.", f"toolforge build logs {build.build_id}",
                    "build-failed")]  # fmt: skip


def _quota(facts: Facts) -> list[Finding]:
    if not isinstance(facts.quota, list):
        return []
    full = [i for i in facts.quota if i.exhausted and i.category != "Per-job limits"]
    if not full:
        return []
    items = "; ".join(f"{i.name}: {i.used} of {i.limit}" for i in full)
    return [Finding(ERROR, f"the tool's quota is used up ({items}): nothing more of that kind "
                    "can start.", "toolforge jobs quota", "quota-exhausted")]  # fmt: skip


def age(moment: datetime | None, now: datetime) -> str:
    """``3d4h``, ``12m``: how long ago ``moment`` was."""
    if moment is None:
        return "?"
    seconds = int((now - moment.astimezone(UTC)).total_seconds())
    days, rest = divmod(max(seconds, 0), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days}d{hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h{minutes}m" if minutes else f"{hours}h"
    return f"{minutes}m" if minutes else f"{seconds}s"


__all__ = ["Finding", "Unread", "age", "findings"]
