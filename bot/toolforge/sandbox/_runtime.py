"""Jobs living on the sandbox's clock, the way Kubernetes runs them for the jobs API.

A continuous job's pod is scheduled, initialises, runs; a crashing container is
restarted with Kubernetes' back-off (10 s doubling to 5 min) until its cause
goes away, which a restart alone does not do. One-off jobs run once (retried
up to ``retry`` times), end with an exit code and vanish 30 s later; scheduled
jobs run at their schedule's times and keep their last run.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from bot.toolforge.sandbox import _commands, _images, _quota
from bot.toolforge.sandbox._cron import parse_schedule
from bot.toolforge.sandbox._jobspec import resolved_filelog
from bot.toolforge.sandbox._state import (
    JobRecord,
    Outcome,
    Run,
    SandboxState,
    ToolState,
    fake_hex,
)

SCHEDULING = 2.0
INITIALIZING = 3.0
CRASH_AFTER = 2.0
ONE_OFF_TTL = 30.0
HEARTBEAT = 60.0
PULL_RETRY = 300.0
_MAX_STEPS = 200_000  # one sync never loops for ever, whatever the clock did


def backoff(restarts: int) -> float:
    """Kubernetes' CrashLoopBackOff delay before restart number ``restarts`` + 1."""
    return float(min(10 * 2 ** max(restarts - 1, 0), 300))


def pod_name(tool: ToolState, record: JobRecord, moment: datetime) -> str:
    seed = f"{tool.name} {record.name} {record.pods_started}"
    if record.job_type == "continuous":
        return f"{record.name}-{fake_hex(seed, 10)}-{fake_hex(seed + 'p', 5)}"
    if record.job_type == "scheduled":
        return f"{record.name}-{int(moment.timestamp()) // 60}-{fake_hex(seed, 5)}"
    return f"{record.name}-{fake_hex(seed, 5)}"


class Runtime:
    """Moves every job of the world forward to the clock's ``now``."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def start_pod(self, tool: ToolState, record: JobRecord, moment: datetime) -> None:
        """A new pod (a rolling restart, a retry, a new run) from the job's definition now."""
        record.pods_started += 1
        pod = pod_name(tool, record, moment)
        record.run = None  # the old pod goes: it does not count against the quota
        refusal = _quota.pod_refusal(tool, record)
        record.run = Run(started=moment, phase="scheduling", since=moment, pod=pod)
        record.next_event = moment + timedelta(seconds=SCHEDULING)
        if refusal:
            record.run.message = refusal
            record.run.phase = "failed"
            record.next_event = None
            if record.job_type == "scheduled":
                self.schedule_next(tool, record, moment)

    def schedule_next(self, tool: ToolState, record: JobRecord, after: datetime) -> None:
        schedule = parse_schedule(str(record.spec["schedule"]), tool.name, record.name)
        record.next_event = schedule.next_after(after)

    def sync(self, now: datetime) -> None:
        """Carry out every event due by ``now``, in time order."""
        for _ in range(_MAX_STEPS):
            due = min(self._due(now), default=None, key=lambda item: item[0])
            if due is None:
                return
            _, tool, record = due
            self._step(tool, record)

    def _due(self, now: datetime) -> Iterator[tuple[datetime, ToolState, JobRecord]]:
        for tool in self.state.tools.values():
            for record in tool.jobs.values():
                if record.next_event is not None and record.next_event <= now:
                    yield record.next_event, tool, record

    # -- one event ------------------------------------------------------------

    def _step(self, tool: ToolState, record: JobRecord) -> None:
        moment = record.next_event
        assert moment is not None
        record.next_event = None
        run = record.run
        if record.finished is not None:  # a finished one-off job's Job object is collected
            tool.jobs.pop(record.name, None)
        elif run is None or run.phase in ("succeeded", "failed"):
            self._scheduled_run(tool, record, moment)
        elif run.phase == "scheduling":
            self._enter(run, "initializing", moment)
            record.next_event = moment + timedelta(seconds=INITIALIZING)
        elif run.phase in ("initializing", "backoff"):
            pull_error = self.pull_error(record)
            if pull_error:  # the kubelet backs off and tries again, up to every 5 minutes
                run.waiting = pull_error
                record.next_event = moment + timedelta(seconds=PULL_RETRY)
                return
            run.waiting = ""
            if run.outcome is None:
                run.outcome = self._outcome(tool, record)
            self._container_starts(tool, record, run, moment)
        elif run.phase == "running":
            self._running_event(tool, record, run, moment)

    def _scheduled_run(self, tool: ToolState, record: JobRecord, moment: datetime) -> None:
        if record.job_type != "scheduled":
            return
        record.last_schedule = moment
        self.start_pod(tool, record, moment)

    def _enter(self, run: Run, phase: str, moment: datetime) -> None:
        run.phase = phase
        run.since = moment

    def pull_error(self, record: JobRecord) -> str:
        """The kubelet's message when the job's image cannot be pulled ("" when it can).

        Only build-service images can vanish (a build never succeeded, or ``toolforge
        build clean`` removed it); the API refuses unknown images when a job is created.
        """
        image = _images.resolve(self.state, str(record.spec["imagename"]))
        if image.exists or image.prebuilt:
            return ""
        full = image.full_url
        if not full.startswith(_images.HARBOR + "/"):
            full = f"{_images.HARBOR}/{full}"
        return f'Back-off pulling image "{full}"'

    def _outcome(self, tool: ToolState, record: JobRecord) -> Outcome:
        """What this pod's container will do, decided when its image is pulled."""
        image = _images.resolve(self.state, str(record.spec["imagename"]))
        cmd = str(record.spec["cmd"])
        crash = record.crash
        if crash is not None and crash.cause == f"{image.source}|{cmd}":
            return Outcome(crash.exit_code, CRASH_AFTER, exit_lines=crash.lines)
        failure = _commands.launcher_failure(image, cmd)
        if failure is not None:
            return failure
        outcome = _commands.acted_out(cmd, keeps_running=record.job_type == "continuous")
        if outcome.exit_code is None and not outcome.lines:
            outcome.lines = _startup_lines(record, listening_at(record, image.source))
        return outcome

    def _container_starts(
        self, tool: ToolState, record: JobRecord, run: Run, moment: datetime
    ) -> None:
        outcome = run.outcome
        assert outcome is not None
        self._enter(run, "running", moment)
        self._write(tool, record, run, moment, outcome.lines)
        if outcome.exit_code is not None:
            after = outcome.after
            timeout = int(record.spec.get("timeout") or 0)
            if record.job_type == "scheduled" and timeout and after > timeout:
                after = float(timeout)
            record.next_event = moment + timedelta(seconds=after)
        elif _heartbeat(record):
            record.next_event = moment + timedelta(seconds=HEARTBEAT)

    def _running_event(self, tool: ToolState, record: JobRecord, run: Run, moment: datetime):
        outcome = run.outcome
        assert outcome is not None
        if outcome.exit_code is None:  # a healthy service, answering its health checks
            self._write(tool, record, run, moment, (_heartbeat(record),))
            record.next_event = moment + timedelta(seconds=HEARTBEAT)
            return
        self._write(tool, record, run, moment, outcome.exit_lines)
        code = outcome.exit_code
        timeout = int(record.spec.get("timeout") or 0)
        if record.job_type == "scheduled" and timeout and outcome.after > timeout:
            code = 137  # killed at its deadline
        run.exit_code = code
        if record.job_type == "continuous":
            run.restarts += 1
            self._enter(run, "backoff", moment)
            record.next_event = moment + timedelta(seconds=backoff(run.restarts))
        elif code != 0 and run.attempt < int(record.spec.get("retry") or 0):
            run.attempt += 1
            run.restarts += 1
            self._enter(run, "backoff", moment)
            record.next_event = moment + timedelta(seconds=backoff(run.attempt))
        else:
            self._enter(run, "succeeded" if code == 0 else "failed", moment)
            if record.job_type == "one-off":
                record.finished = moment
                record.next_event = moment + timedelta(seconds=ONE_OFF_TTL)
            else:
                self.schedule_next(tool, record, moment)

    def _write(
        self, tool: ToolState, record: JobRecord, run: Run, moment: datetime, lines: tuple[str, ...]
    ) -> None:
        # With file logging the output goes to files in the tool's home: the logs API has none.
        if resolved_filelog(record.spec) or not lines:
            return
        for line in lines:
            if line:
                tool.log(record.name, moment, line, run.pod)


def listening_at(record: JobRecord, source: str) -> str:
    """Where the job's program listens: ``0.0.0.0:$PORT`` unless its code binds elsewhere."""
    binds = record.binds
    if binds is not None and binds[0] == f"{source}|{record.spec['cmd']}":
        return binds[1]
    port = record.spec.get("port")
    return f"0.0.0.0:{port}" if port else ""


def _startup_lines(record: JobRecord, address: str) -> tuple[str, ...]:
    if address.startswith("0.0.0.0:"):
        return (f"Listening at: http://{address}",)
    if address:  # a development server left at its defaults
        return (" * Serving Flask app 'app'", f" * Running on http://{address}",
                "Press CTRL+C to quit")  # fmt: skip
    return (f"{record.name} started",)


def _heartbeat(record: JobRecord) -> str:
    check = record.spec.get("health_check")
    if isinstance(check, dict) and check.get("type") == "http" and record.spec.get("port"):
        return f'"GET {check.get("path", "/")} HTTP/1.1" 200 - kube-probe'
    return ""
