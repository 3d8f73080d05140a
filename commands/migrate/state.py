"""Where a guided migration stands: the persisted state and the order of its steps.

The conversation is stored as JSON (``Store.conversation_put``), so a bot
restart loses nothing. Steps: ``repo`` (asking where the code is),
``review`` (the plan is shown), then the actions in :data:`ACTIONS` that the
plan needs, then ``done``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.migration.plan import Plan

KIND = "migrate"
ACTIONS = ("mr", "build", "jobs", "delete", "webstop", "web", "check")
DESCRIPTIONS = {
    "repo": "tell me where the code is",
    "review": "review the plan",
    "mr": "open a merge request with the planned files",
    "build": "build the image with the build service",
    "jobs": "create or update the jobs on the new image",
    "delete": "delete the jobs that are no longer needed",
    "webstop": "stop the classic web service (by hand: forgebot cannot do it yet)",
    "web": "run the web service on the new image",
    "check": "check that the new jobs come up",
    "done": "nothing: the migration is complete",
}


@dataclass
class WizardState:
    tool: str
    step: str = "repo"
    repo: str = ""
    ref: str = ""
    grid: list[str] = field(default_factory=list)
    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    build_id: str = ""
    mr_url: str = ""
    mr_iid: int = 0  # the merge request this migration opened: the build waits for it
    build_ref: str = ""  # what the build step built ("" for the planned branch)
    # the jobs API's definitions before the migration changed any job: 'migrate undo'
    previous_jobs: list[dict[str, Any]] | None = None
    created: list[str] = field(default_factory=list)  # jobs that did not exist before
    # scheduled job -> its last run when it was loaded: a later one ran on the new definition
    loaded_runs: dict[str, str] = field(default_factory=dict)
    version: int = 0  # every saved change; a confirmation is bound to the version it saw

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WizardState:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def needed_actions(plan: Plan, *, published: bool) -> list[str]:
    """The actions this plan needs, in order; ``published``: the tool's web service is
    already a published job (restarted on the new image, not created)."""
    classic = plan.web_job is not None
    wanted = {
        "mr": bool(plan.files) and bool(plan.clone_url),
        "build": bool(plan.language),
        "jobs": bool(plan.jobs),
        "delete": bool(plan.delete_jobs),
        "webstop": classic,
        "web": classic or published,
        "check": bool(plan.jobs) or classic,
    }
    return [step for step in ACTIONS if wanted[step]]


def next_step(state: WizardState, actions: list[str]) -> str:
    """The first needed action not yet done or skipped, else ``done``."""
    for step in actions:
        if step not in state.done and step not in state.skipped:
            return step
    return "done"


def go_back(state: WizardState) -> str:
    """Undo one step: the last action done or skipped becomes current again."""
    if state.step in ("repo", "review"):
        state.step = "repo"
        return state.step
    last = _last(state)
    if last is None:
        state.step = "review"
        return state.step
    if last in state.done:
        state.done.remove(last)
    if last in state.skipped:
        state.skipped.remove(last)
    if last == "build":
        state.build_id = state.build_ref = ""
    state.step = last
    return last


def _last(state: WizardState) -> str | None:
    history = [s for s in ACTIONS if s in state.done or s in state.skipped]
    return history[-1] if history else None
