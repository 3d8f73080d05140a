"""A classic web service as Kubernetes shows it: its Deployment and its pods."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

# What `webservice` labels everything it creates with (toolsws/backends/kubernetes.py).
LABELS = {"app.kubernetes.io/component": "web", "app.kubernetes.io/managed-by": "webservice"}


def tool_labels(tool: str) -> dict[str, str]:
    return {**LABELS, "toolforge": "tool", "name": tool}


@dataclass(frozen=True, slots=True)
class WebPod:
    """One pod of the web service: is it ready, and if not, why."""

    name: str
    phase: str
    ready: bool
    restarts: int
    created: datetime | None
    waiting_reason: str = ""  # CrashLoopBackOff, ImagePullBackOff, ErrImagePull, ...
    waiting_message: str = ""
    last_exit_code: int | None = None
    last_reason: str = ""  # OOMKilled, Error, Completed
    last_finished: datetime | None = None
    running_since: datetime | None = None


@dataclass(frozen=True, slots=True)
class ClassicWebService:
    """``webservice <type> start``: the Deployment named after the tool, and its pods."""

    tool: str
    image: str
    replicas: int
    ready: int
    created: datetime | None
    memory_limit: str
    cpu_limit: str
    pods: tuple[WebPod, ...]

    @property
    def running(self) -> bool:
        return self.ready > 0

    @property
    def restarts(self) -> int:
        return sum(pod.restarts for pod in self.pods)

    @property
    def wstype(self) -> str:
        """The type it was started with, as far as its image says (``buildservice`` for a
        build-service image; else the pre-built image's name, such as ``python311``)."""
        name = self.image.rsplit("/", 1)[-1].split(":", 1)[0].split("@", 1)[0]
        if "tools-harbor" in self.image or self.image.startswith("tool-"):
            return "buildservice"
        return name.removeprefix("toolforge-").removesuffix("-web").removesuffix("-sssd")

    @property
    def last_exit(self) -> WebPod | None:
        """The pod whose container ended last (its exit code and reason), if any did."""
        ended = [pod for pod in self.pods if pod.last_exit_code is not None]
        return max(ended, key=lambda p: p.last_finished.timestamp() if p.last_finished else 0,
                   default=None)  # fmt: skip

    @property
    def waiting(self) -> WebPod | None:
        """A pod whose container does not run, and says why."""
        return next((pod for pod in self.pods if pod.waiting_reason), None)


def _time(value: Any) -> datetime | None:
    return value if isinstance(value, datetime) else None


def pod_of(pod: Any) -> WebPod:
    """A :class:`WebPod` from a lightkube ``Pod`` (fields may be missing at any level)."""
    meta, status = pod.metadata, pod.status
    statuses = (status.containerStatuses if status is not None else None) or []
    first = statuses[0] if statuses else None
    waiting = first.state.waiting if first is not None and first.state is not None else None
    running = first.state.running if first is not None and first.state is not None else None
    last = first.lastState.terminated if first is not None and first.lastState else None
    return WebPod(
        name=str(meta.name if meta is not None else ""),
        phase=str(status.phase if status is not None and status.phase else "Unknown"),
        ready=bool(first.ready) if first is not None else False,
        restarts=int(first.restartCount or 0) if first is not None else 0,
        created=_time(meta.creationTimestamp) if meta is not None else None,
        waiting_reason=str(waiting.reason or "") if waiting is not None else "",
        waiting_message=str(waiting.message or "") if waiting is not None else "",
        last_exit_code=int(last.exitCode) if last is not None else None,
        last_reason=str(last.reason or "") if last is not None else "",
        last_finished=_time(last.finishedAt) if last is not None else None,
        running_since=_time(running.startedAt) if running is not None else None,
    )


def service_of(tool: str, deployment: Any, pods: list[Any]) -> ClassicWebService:
    """The web service from a lightkube ``Deployment`` and its ``Pod`` objects."""
    spec, status = deployment.spec, deployment.status
    containers = spec.template.spec.containers if spec and spec.template.spec else []
    container = containers[0] if containers else None
    limits = (container.resources.limits or {}) if container and container.resources else {}
    return ClassicWebService(
        tool=tool,
        image=str(container.image or "") if container is not None else "",
        replicas=int(spec.replicas if spec is not None and spec.replicas is not None else 1),
        ready=int(status.readyReplicas or 0) if status is not None else 0,
        created=_time(deployment.metadata.creationTimestamp) if deployment.metadata else None,
        memory_limit=str(limits.get("memory", "")),
        cpu_limit=str(limits.get("cpu", "")),
        pods=tuple(sorted((pod_of(p) for p in pods), key=lambda p: p.name)),
    )
