"""What the migration dialogue says: overview of a plan, the next step, build failures."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.redact import redact
from bot.reply import Badge, Bullets, Code, Inline, Part, Strong, Table, Text, Tone
from bot.visibility import HIDDEN
from commands.migrate.state import DESCRIPTIONS, WizardState

if TYPE_CHECKING:
    from bot.migration.plan import Plan

MAX_WARNINGS_SHOWN = 6


def overview(plan: Plan, *, internals: bool) -> list[Part]:
    """The plan in short; command lines only for those who see the tool's internals."""
    from bot.migration.render import problem_items

    parts: list[Part] = [
        Text.of(
            "Migration of ", Strong(plan.tool), " to the build service image ", Strong(plan.image)
        ),  # fmt: skip
    ]
    if plan.language:
        version = f" {plan.runtime_version}" if plan.runtime_version else ""
        parts.append(Text.of(f"The repository builds as {plan.language}{version} "
                             f"({plan.buildpack})."))  # fmt: skip
    if plan.files:
        parts.append(Text.of("Files to add to the repository:"))
        parts.append(Bullets(tuple((Strong(f.path), f" ({f.action}: {f.reason})")
                                   for f in plan.files)))  # fmt: skip
    if plan.jobs or plan.on_demand:
        rows = tuple(
            (j.name, j.kind, j.schedule or "", redact(j.command) if internals else HIDDEN)
            for j in (*plan.jobs, *plan.on_demand)
        )
        parts.append(Table(("job", "kind", "schedule", "command"), rows))
    if plan.delete_jobs:
        parts.append(Text.of("Jobs to delete afterwards: " + ", ".join(plan.delete_jobs)))
    warnings = plan.warnings
    if warnings:
        parts.append(Text.of(f"{len(warnings)} things to check by hand:"))
        parts.append(problem_items(warnings[:MAX_WARNINGS_SHOWN]))
    return parts


def next_hint(hint: Callable[[str], str], state: WizardState, *, maintainer: bool) -> Text:
    """``hint`` turns a command line into what the user types (``!tf`` prefix or not)."""
    step = state.step
    if step == "repo":
        return Text.of(
            "Where is the code? Reply ",
            Strong(hint("migrate repo <git URL>")),
            " (a public GitLab project; add a branch after the URL if needed).",
        )
    undo: tuple[Inline, ...] = ()
    changed = {"jobs", "delete", "web"} & {*state.done, *state.skipped}
    if maintainer and state.previous_jobs is not None and changed:
        undo = (" ", Strong(hint("migrate undo")), " defines the jobs again as they were.")
    if step == "done":
        return Text.of(Badge("done", Tone.OK), " The migration is complete.", *undo)
    if not maintainer:
        return Text.of(
            "Only the tool's maintainers can carry this out; ",
            Strong(hint("migrate plan")),
            " shows the whole plan.",
        )
    if step == "build" and state.build_id:
        return Text.of("The build is running; follow it with ", Strong(hint("migrate status")),
                       ".")  # fmt: skip
    if step == "review":
        return Text.of("To start, reply ", Strong(hint("migrate go")), "; ",
                       Strong(hint("migrate plan")), " shows every file.")  # fmt: skip
    if step == "webstop":
        return Text.of(
            "Next: stop the classic web service yourself: as the tool, type ",
            Strong("webservice stop"), ", then reply ", Strong(hint("migrate skip")),
            " (forgebot cannot stop it yet).", *undo,
        )  # fmt: skip
    spans: list[Inline] = [
        "Next: ", Strong(DESCRIPTIONS[step]), ". Reply ", Strong(hint("migrate go")),
        " to do it, ", Strong(hint("migrate skip")), " if you did it yourself, ",
        Strong(hint("migrate back")), " or ", Strong(hint("migrate cancel")), ".", *undo,
    ]  # fmt: skip
    return Text(tuple(spans))


def progress(state: WizardState) -> Text:
    done = [f"{s} ✓" for s in state.done] + [f"{s} (skipped)" for s in state.skipped]
    where = DESCRIPTIONS.get(state.step, state.step)
    line = f"Migrating {state.tool}: now at '{state.step}' ({where})."
    if done:
        line += " Done so far: " + ", ".join(done) + "."
    return Text.of(line)


def build_failure(message: str, excerpt: tuple[str, ...]) -> list[Part]:
    parts: list[Part] = [Text.of(Badge("build failed", Tone.ERROR), " ", message)]
    if excerpt:
        parts.append(Code("\n".join(excerpt)))
    parts.append(Text.of("Fix the repository, then start the build again with 'migrate go'."))
    return parts
