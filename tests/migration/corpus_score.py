"""Scoring the planner against the corpus of real Toolforge tool repositories.

Each ``tests/migration/corpus/*.yaml`` holds one real repository at a pinned
commit (its file list, its configuration files and the few source lines the
detectors read) and the plan a maintainer should get, written by hand before
the planner ran on it. :func:`score` compares the two; the benchmark prints
the result and a test holds it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.migration.inspect import inspect_snapshot
from bot.migration.model import Job
from bot.migration.plan import Plan, plan_for
from bot.migration.snapshot import RepoSource, Snapshot

CORPUS = Path(__file__).resolve().parent / "corpus"


@dataclass
class Entry:
    name: str
    data: dict[str, Any]

    @property
    def expect(self) -> dict[str, Any]:
        return self.data["expect"]  # type: ignore[no-any-return]


@dataclass
class Result:
    name: str
    classes: list[int]
    jobs_total: int
    jobs_exact: int
    problems: list[str] = field(default_factory=list)

    @property
    def right(self) -> bool:
        return not self.problems


def entries() -> list[Entry]:
    return [Entry(p.stem, yaml.safe_load(p.read_text())) for p in sorted(CORPUS.glob("*.yaml"))]


def plan_of(entry: Entry) -> Plan:
    data = entry.data
    tool = data["tool"]
    url = f"https://gitlab.wikimedia.org/toolforge-repos/{tool}"
    source = RepoSource(url, "gitlab", "main", url, f"{url}.git", f"toolforge-repos/{tool}",
                        "https://gitlab.wikimedia.org", "public", "main")  # fmt: skip
    files = data.get("files") or {}
    snapshot = Snapshot(source, tuple(data["paths"]), dict(files), frozenset(data["executable"]))
    report = inspect_snapshot(snapshot, tool=tool)
    return plan_for(tool, report, grid_text=data.get("grid") or "")


def _words(text: str | None) -> str | None:
    return None if text is None else " ".join(text.split())


def _command(plan: Plan, job: Job) -> str:
    if job.image == plan.image:
        entry = next((e for e in plan.procfile if e.name == job.command), None)
        return entry.command if entry else f"<no Procfile entry {job.command}>"
    return job.command


def judge(entry: Entry, plan: Plan) -> Result:
    expect = entry.expect
    result = Result(entry.name, list(entry.data.get("classes") or []), len(expect["jobs"]), 0)
    planned = {j.name: j for j in (*plan.jobs, *plan.on_demand)}
    for wanted in expect["jobs"]:
        job = planned.pop(wanted["name"], None)
        if job is None:
            result.problems.append(f"job {wanted['name']} missing")
            continue
        got = {
            "kind": job.kind,
            "schedule": job.schedule,
            "image": "build" if job.image == plan.image else job.image,
            "command": _words(_command(plan, job)),
            "mount": job.mount,
        }
        want = {"kind": wanted["kind"], "schedule": wanted.get("schedule"),
                "image": wanted["image"], "command": _words(wanted["command"])}  # fmt: skip
        if "mount" in wanted:
            want["mount"] = wanted["mount"]
        diff = {k: (got[k], v) for k, v in want.items() if got[k] != v}
        if diff:
            result.problems.append(f"job {wanted['name']}: " + "; ".join(
                f"{k} is {g!r}, expected {w!r}" for k, (g, w) in diff.items()))  # fmt: skip
        else:
            result.jobs_exact += 1
    for name in planned:
        result.problems.append(f"job {name} not expected")
    web = next((e.command for e in plan.procfile if e.name == "web"), None)
    if _words(web) != _words(expect.get("web")):
        result.problems.append(f"web is {web!r}, expected {expect.get('web')!r}")
    warnings = {p.id for p in plan.warnings}
    for problem in expect.get("warnings") or ():
        if problem not in warnings:
            result.problems.append(f"warning {problem} missing")
    envvars = sorted(e.name for e in plan.envvars)
    if envvars != sorted(expect.get("envvars") or ()):
        result.problems.append(f"tool-wide envvars {envvars}, expected {expect.get('envvars')}")
    if "apt" in expect:
        aptfile = next((f.content for f in plan.files if f.path == "Aptfile"), "")
        if sorted(aptfile.split()) != sorted(expect["apt"]):
            result.problems.append(f"Aptfile {aptfile.split()}, expected {expect['apt']}")
    return result


@dataclass
class Score:
    results: list[Result]

    @property
    def repos_right(self) -> int:
        return sum(r.right for r in self.results)

    @property
    def jobs_exact(self) -> int:
        return sum(r.jobs_exact for r in self.results)

    @property
    def jobs_total(self) -> int:
        return sum(r.jobs_total for r in self.results)

    def by_class(self) -> dict[int, tuple[int, int]]:
        out: dict[int, tuple[int, int]] = {}
        for r in self.results:
            for c in r.classes:
                right, total = out.get(c, (0, 0))
                out[c] = (right + r.right, total + 1)
        return dict(sorted(out.items()))

    def lines(self) -> list[str]:
        lines = [f"repos right {self.repos_right}/{len(self.results)}, "
                 f"jobs exact {self.jobs_exact}/{self.jobs_total}"]  # fmt: skip
        lines += [f"class {c}: repos right {r}/{t}" for c, (r, t) in self.by_class().items()]
        return lines


def score() -> Score:
    return Score([judge(e, plan_of(e)) for e in entries()])
