"""Classic web services (``webservice <type> start``): a Deployment and its pods on the clock.

The ``webservice`` command creates a Deployment named after the tool in the
namespace ``tool-<tool>`` with the labels of :data:`LABELS`; the jobs API does
not see it. A pod's life is computed from when it was created: scheduled,
its container created, then running, or crashing with Kubernetes' back-off,
or never started because its image cannot be pulled. Deleting a pod (what
``webservice restart`` does) makes the Deployment create a new one at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.toolforge.sandbox._images import HARBOR, PREBUILT_IMAGES, prebuilt_url
from bot.toolforge.sandbox._runtime import CRASH_AFTER, INITIALIZING, SCHEDULING, backoff
from bot.toolforge.sandbox._state import fake_hex, rfc3339

CONTAINER = "webservice"  # the container name webservice gives its pods
PORT = 8000
_MAX_CRASHES = 10_000


def labels(tool: str) -> dict[str, str]:
    """The labels ``webservice`` puts on everything it creates for ``tool``."""
    return {
        "app.kubernetes.io/component": "web",
        "app.kubernetes.io/managed-by": "webservice",
        "toolforge": "tool",
        "name": tool,
    }


@dataclass(frozen=True)
class PodState:
    """Where one pod is at a moment, in the terms of its ``status``."""

    phase: str  # Pending, Running
    ready: bool
    restarts: int
    waiting: tuple[str, str] | None = None  # (reason, message)
    running_since: datetime | None = None
    last_exit: tuple[int, str, datetime] | None = None  # (exit code, reason, finished)


@dataclass
class ClassicPod:
    """A pod, and how its container fares: the web service's ``crash`` and ``pull_error``
    as they were when the pod was created."""

    name: str
    created: datetime
    crash: tuple[int, str] | None = None
    pull_error: str = ""


@dataclass
class ClassicWeb:
    """A tool's classic web service: what ``webservice`` was started with, and its pods.

    ``crash`` (exit code, reason) and ``pull_error`` belong to the image it runs:
    they last until the web service is started again with another one.
    ``listens`` is where the program listens when not on ``0.0.0.0:8000``: the
    front then cannot reach it.
    """

    tool: str
    wstype: str
    replicas: int
    memory: str
    cpu: str
    created: datetime
    pods: list[ClassicPod] = field(default_factory=list)
    crash: tuple[int, str] | None = None
    pull_error: str = ""
    listens: str = ""
    pods_made: int = 0

    @property
    def image(self) -> str:
        if self.wstype == "buildservice":
            return f"{HARBOR}/tool-{self.tool}/tool-{self.tool}:latest"
        return prebuilt_url(self.wstype)

    @property
    def deprecated(self) -> bool:
        return PREBUILT_IMAGES.get(self.wstype) == "deprecated"

    def new_pod(self, moment: datetime) -> ClassicPod:
        self.pods_made += 1
        seed = f"{self.tool} classic {self.pods_made}"
        name = f"{self.tool}-{fake_hex(seed, 10)}-{fake_hex(seed + 'p', 5)}"
        pod = ClassicPod(name, moment, self.crash, self.pull_error)
        self.pods.append(pod)
        return pod

    def delete_pod(self, name: str, moment: datetime) -> ClassicPod | None:
        """Delete ``name``; its ReplicaSet replaces it at once. None if there is no such pod."""
        for pod in self.pods:
            if pod.name == name:
                self.pods.remove(pod)
                self.new_pod(moment)
                return pod
        return None

    def state(self, pod: ClassicPod, now: datetime) -> PodState:
        age = (now - pod.created).total_seconds()
        if age < SCHEDULING:
            return PodState("Pending", False, 0)
        if pod.pull_error:
            reason = "ErrImagePull" if age < SCHEDULING + 10 else "ImagePullBackOff"
            return PodState("Pending", False, 0, waiting=(reason, pod.pull_error))
        started = pod.created + timedelta(seconds=SCHEDULING + INITIALIZING)
        if now < started:
            return PodState("Pending", False, 0, waiting=("ContainerCreating", ""))
        if pod.crash is None:
            return PodState("Running", True, 0, running_since=started)
        return _crashing(pod.crash, started, now)

    def serving(self, now: datetime) -> bool:
        """A pod is ready: the front has somewhere to send requests."""
        return any(self.state(pod, now).ready for pod in self.pods)


def _crashing(crash: tuple[int, str], started: datetime, now: datetime) -> PodState:
    """A container that exits after a moment, restarted with Kubernetes' back-off."""
    code, reason = crash
    restarts, last = 0, None
    for _ in range(_MAX_CRASHES):
        ended = started + timedelta(seconds=CRASH_AFTER)
        if now < ended:
            return PodState("Running", True, restarts, running_since=started, last_exit=last)
        restarts += 1
        last = (code, reason, ended)
        started = ended + timedelta(seconds=backoff(restarts))
        if now < started:
            break
    message = f"back-off {backoff(restarts):.0f}s restarting failed container={CONTAINER}"
    return PodState("Running", False, restarts, waiting=("CrashLoopBackOff", message),
                    last_exit=last)  # fmt: skip


# -- the objects as the Kubernetes API shows them ------------------------------


def _meta(web: ClassicWeb, name: str, created: datetime, extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "namespace": f"tool-{web.tool}",
        "uid": fake_hex(f"{web.tool} {name} uid", 32),
        "creationTimestamp": rfc3339(created),
        "labels": {**labels(web.tool), **extra},
    }


def _container(web: ClassicWeb) -> dict[str, Any]:
    command = [] if web.wstype == "buildservice" else [
        "/usr/bin/webservice-runner", "--type", "uwsgi-python", "--port", str(PORT)
    ]  # fmt: skip
    return {
        "name": CONTAINER,
        "image": web.image,
        "command": command,
        "ports": [{"name": "http", "containerPort": PORT, "protocol": "TCP"}],
        "resources": {"limits": {"memory": web.memory, "cpu": web.cpu},
                      "requests": {"memory": "256Mi", "cpu": "125m"}},
    }  # fmt: skip


def deployment(web: ClassicWeb, now: datetime) -> dict[str, Any]:
    ready = sum(1 for pod in web.pods if web.state(pod, now).ready)
    available = "True" if ready >= web.replicas else "False"
    why = "MinimumReplicasAvailable" if available == "True" else "MinimumReplicasUnavailable"
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {**_meta(web, web.tool, web.created, {}), "generation": 1},
        "spec": {
            "replicas": web.replicas,
            "selector": {"matchLabels": labels(web.tool)},
            "template": {
                "metadata": {"labels": labels(web.tool)},
                "spec": {"containers": [_container(web)]},
            },
        },
        "status": {
            "observedGeneration": 1,
            "replicas": len(web.pods),
            "updatedReplicas": len(web.pods),
            "readyReplicas": ready,
            "availableReplicas": ready,
            "unavailableReplicas": max(web.replicas - ready, 0),
            "conditions": [{"type": "Available", "status": available, "reason": why,
                            "lastTransitionTime": rfc3339(web.created)}],
        },
    }  # fmt: skip


def _container_status(web: ClassicWeb, state: PodState) -> dict[str, Any]:
    current: dict[str, Any]
    if state.waiting is not None:
        reason, message = state.waiting
        current = {"waiting": {"reason": reason, **({"message": message} if message else {})}}
    else:
        current = {"running": {"startedAt": rfc3339(state.running_since or web.created)}}
    last: dict[str, Any] = {}
    if state.last_exit is not None:
        code, reason, finished = state.last_exit
        last = {"terminated": {"exitCode": code, "reason": reason,
                               "finishedAt": rfc3339(finished)}}  # fmt: skip
    return {
        "name": CONTAINER,
        "image": web.image,
        "imageID": "" if state.running_since is None else
        f"{web.image.split(':')[0]}@sha256:{fake_hex(web.image, 64)}",
        "ready": state.ready,
        "started": state.running_since is not None and state.waiting is None,
        "restartCount": state.restarts,
        "state": current,
        "lastState": last,
    }


def pod(web: ClassicWeb, item: ClassicPod, now: datetime) -> dict[str, Any]:
    state = web.state(item, now)
    scheduled = (now - item.created).total_seconds() >= SCHEDULING
    status: dict[str, Any] = {
        "phase": state.phase,
        "conditions": [
            {"type": "PodScheduled", "status": "True" if scheduled else "False",
             "lastTransitionTime": rfc3339(item.created)},
            {"type": "Ready", "status": "True" if state.ready else "False",
             "lastTransitionTime": rfc3339(item.created)},
        ],
        "startTime": rfc3339(item.created),
    }  # fmt: skip
    if scheduled:
        status["containerStatuses"] = [_container_status(web, state)]
    template_hash = fake_hex(f"{web.tool} template", 10)
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            **_meta(web, item.name, item.created, {"pod-template-hash": template_hash}),
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                 "name": f"{web.tool}-{template_hash}", "controller": True,
                                 "uid": fake_hex(f"{web.tool} rs", 32)}],
        },  # fmt: skip
        "spec": {"containers": [_container(web)]},
        "status": status,
    }
