"""A tool's namespace quota as the jobs API counts it, from what runs in the sandbox.

Limits are those of a standard tool (the API's own test fixture); the used
amounts are counted like the ResourceQuota counts them: pods and their limits
for what is starting or running, Job objects that still exist, CronJobs and
Deployments for the job definitions.
"""

from __future__ import annotations

from typing import Any

from bot.toolforge.sandbox._newjob import quantity
from bot.toolforge.sandbox._state import ApiError, JobRecord, ToolState

LIMITS = {"pods": 10, "jobs": 15, "cpu": 4.0, "memory": 8 * 2**30, "cronjobs": 50,
          "deployments": 3}  # fmt: skip
PER_JOB = {"cpu": "1.0", "memory": "4.0Gi"}
OUT_OF_QUOTA = "Out of quota for this kind of job. Please see https://w.wiki/6YLP for details."


def _active(record: JobRecord) -> bool:
    run = record.run
    return run is not None and run.phase not in ("succeeded", "failed") and not run.message


def _pods(record: JobRecord) -> int:
    if not _active(record):
        return 0
    return int(record.spec.get("replicas", 1)) if record.job_type == "continuous" else 1


def _limit(record: JobRecord, key: str, default: str) -> float:
    return quantity(str(record.spec.get(key) or default))


def usage(tool: ToolState) -> dict[str, float]:
    jobs = list(tool.jobs.values())
    # A classic web service is a Deployment of the same namespace: it counts too.
    web = tool.classic
    web_pods = len(web.pods) if web is not None else 0
    return {
        "pods": sum(_pods(r) for r in jobs) + web_pods,
        "jobs": sum(1 for r in jobs if r.job_type != "continuous" and r.run is not None),
        "cpu": sum(_pods(r) * _limit(r, "cpu", "100m") for r in jobs)
        + (web_pods * quantity(web.cpu) if web is not None else 0),
        "memory": sum(_pods(r) * _limit(r, "memory", "512Mi") for r in jobs)
        + (web_pods * quantity(web.memory) if web is not None else 0),
        "cronjobs": sum(1 for r in jobs if r.job_type == "scheduled"),
        "deployments": sum(1 for r in jobs if r.job_type == "continuous") + (web is not None),
    }


def check_definitions(tool: ToolState, job: dict[str, Any]) -> None:
    """Creating one more CronJob or Deployment than the quota allows fails in the runtime."""
    if job["name"] in tool.jobs:
        return
    used = usage(tool)
    kind = {"scheduled": "cronjobs", "continuous": "deployments"}.get(str(job["job_type"]))
    if kind is not None and used[kind] + 1 > LIMITS[kind]:
        raise ApiError(500, OUT_OF_QUOTA)


def pod_refusal(tool: ToolState, record: JobRecord) -> str:
    """Why Kubernetes would not start this job's pods now ("" when it would)."""
    used = usage(tool)
    wanted = {"pods": 1.0, "cpu": _limit(record, "cpu", "100m"),
              "memory": _limit(record, "memory", "512Mi")}  # fmt: skip
    over = sorted(key for key, amount in wanted.items() if used[key] + amount > LIMITS[key])
    if not over:
        return ""
    return "Unable to start, out of quota for " + ", ".join(over)


def _gi(value: float) -> str:
    return f"{float(round(value / 2**30, 3))}Gi"


def categories(tool: ToolState) -> list[dict[str, Any]]:
    used = usage(tool)
    running = [
        ("Total running jobs at once (Kubernetes pods)", str(LIMITS["pods"]), str(used["pods"])),
        ("Running one-off and cron jobs", str(LIMITS["jobs"]), str(used["jobs"])),
        ("CPU", str(float(LIMITS["cpu"])), str(float(round(used["cpu"], 3)))),
        ("Memory", _gi(LIMITS["memory"]), _gi(used["memory"])),
    ]
    definitions = [
        ("Cron jobs", str(LIMITS["cronjobs"]), str(used["cronjobs"])),
        ("Continuous jobs (including web services)", str(LIMITS["deployments"]),
         str(used["deployments"])),
    ]  # fmt: skip
    return [
        {"name": "Running jobs", "items": [{"name": n, "limit": lim, "used": u}
                                           for n, lim, u in running]},
        {"name": "Per-job limits", "items": [{"name": "CPU", "limit": PER_JOB["cpu"], "used": None},
                                             {"name": "Memory", "limit": PER_JOB["memory"],
                                              "used": None}]},
        {"name": "Job definitions", "items": [{"name": n, "limit": lim, "used": u}
                                              for n, lim, u in definitions]},
    ]  # fmt: skip
