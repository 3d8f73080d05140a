"""One person's migration in progress: loading, planning, saving, answering.

The state lives in the store (one conversation per chat identity), so a bot
restart loses nothing. Every saved change bumps its version, and a
confirmation is bound to the version it saw.

The repository is bound to the tool. forgebot's GitLab token is used only for
a maintainer of the tool and only on the tool's own repository
(``toolforge-repos/<tool>`` on the configured GitLab): reading a private one,
and opening the merge request there. Everyone else, and every other project,
is read anonymously.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.context import Context
from bot.directory import require_tool
from bot.errors import UsageError
from bot.redact import redact
from bot.reply import Part, Reply
from bot.repos.location import GitLabLocation, chat_repository, tool_repository, without_userinfo
from bot.toolforge import Job
from commands.migrate.replies import next_hint
from commands.migrate.state import KIND, WizardState, needed_actions, next_step

if TYPE_CHECKING:
    from bot.migration.plan import Plan
    from commands.migrate.build_source import BuildSource


@dataclass
class Migration:
    """What a ``migrate`` sub-command is about: the state, and the plan when it needs one."""

    state: WizardState
    plan: Plan | None = None
    web: str | None = None  # the tool's published web service job, if it has one
    build: BuildSource | None = None  # what ``go`` would build, once checked

    @property
    def tool(self) -> str:
        return self.state.tool

    @property
    def actions(self) -> list[str]:
        assert self.plan is not None
        return needed_actions(self.plan, published=self.web is not None)


async def existing(ctx: Context) -> WizardState | None:
    found = await ctx.services.store.conversation_get(ctx.chat_key, KIND)
    return None if found is None else WizardState.from_json(found.load_state())


async def load(ctx: Context, _inv: object = None) -> Migration:
    """The speaker's migration in progress (a ``load`` step of the pipeline)."""
    state = await existing(ctx)
    if state is None:
        raise UsageError("no migration in progress; start one with: migrate <tool>")
    return Migration(state)


async def load_planned(ctx: Context, inv: object = None) -> Migration:
    """The migration with its current plan; a reviewed plan's next step is its first action."""
    migration = await load(ctx, inv)
    migration.plan, migration.web = await plan_of(ctx, migration.state)
    if migration.state.step == "review":
        migration.state.step = next_step(migration.state, migration.actions)
    return migration


async def save(ctx: Context, state: WizardState) -> None:
    state.version += 1
    await ctx.services.store.conversation_put(
        ctx.chat_key, KIND, tool=state.tool, step=state.step, state=state.to_json(),
        now=ctx.services.clock(),
    )  # fmt: skip


async def plan_of(ctx: Context, state: WizardState) -> tuple[Plan, str | None]:
    """The plan for the conversation as it stands, and the tool's published web service job.

    Once the migration has changed jobs, it plans from the jobs as they were before (kept
    for 'migrate undo'): the jobs it created itself must not change the plan it follows.
    """
    from bot.migration.plan import plan_for

    basis = await _jobs_before(ctx, state)
    web = next((job.name for job in map(Job.from_api, basis) if job.is_webservice), None)
    report = None
    if state.repo:
        location = location_of(ctx, state)
        report = await ctx.services.repos.inspect(
            location,
            tool=state.tool,
            token=await token_for(ctx, state, location),
            ref=state.ref or None,
        )
    plan = plan_for(
        state.tool,
        report,
        grid_text="\n".join(state.grid),
        current_jobs={"jobs": basis},
        guide_base=ctx.services.config.migration.guides_url,
    )
    return plan, web


async def _jobs_before(ctx: Context, state: WizardState) -> list[dict[str, Any]]:
    """The jobs as the API lists them, or as they were defined before the migration
    changed any (with the state of their images, which only the live list shows)."""
    live = await ctx.services.toolforge.list_jobs(state.tool)
    if state.previous_jobs is None:
        return [job.raw for job in live]
    images = {job.image: job.image_state for job in live}
    return [
        {**d, "image_state": images.get(str(d.get("image") or d.get("imagename")), "unknown")}
        for d in state.previous_jobs
    ]


async def say(
    ctx: Context, state: WizardState, parts: list[Part], **meta: str
) -> Reply:
    """``parts``, then what the speaker can do next; ``meta`` as in :class:`Reply`."""
    maintainer = await is_maintainer(ctx, state.tool)
    hint = next_hint(ctx.hint, state, maintainer=maintainer)
    return Reply((*parts, hint), summary=f"migrate {state.tool}: {state.step}", meta=meta)


async def is_maintainer(ctx: Context, tool: str) -> bool:
    return ctx.account is not None and ctx.account in await require_tool(
        ctx.services.directory, tool
    )


def location_of(ctx: Context, state: WizardState) -> GitLabLocation:
    """The conversation's repository on the configured GitLab; never a path on disk."""
    # checked again here for state saved before the check existed
    return chat_repository(state.repo, ctx.services.config.gitlab.url)


def own_repository(ctx: Context, tool: str) -> GitLabLocation:
    return tool_repository(tool, ctx.services.config.gitlab.url)


async def token_for(ctx: Context, state: WizardState, location: GitLabLocation) -> str | None:
    """forgebot's GitLab token, only for a maintainer and only on the tool's own repository;
    everyone and everything else is read anonymously (public projects only)."""
    if not location.same_as(own_repository(ctx, state.tool)):
        return None
    if not await is_maintainer(ctx, state.tool):
        return None
    return ctx.services.config.gitlab.token or None


def clean(sentence: str) -> str:
    """A sentence quoting an API or a URL, without credentials or secrets."""
    return redact(without_userinfo(sentence))
