"""The parts of ``migrate`` that talk and plan but change nothing on Toolforge.

``migrate <tool>`` starts (or resumes) a migration; ``repo`` and ``grid`` feed
it; ``plan``, ``status``, ``back`` and ``cancel`` steer it. Anyone the chat
service identifies may do this; only maintainers act (:mod:`commands.migrate.go`).
"""

from __future__ import annotations

from bot.commands import Arg, Invocation, Permission, command
from bot.context import Context
from bot.directory import require_tool
from bot.errors import GitLabError, UsageError
from bot.reply import Part, Reply, Text
from bot.repos.location import chat_repository
from bot.visibility import sees_internals
from commands.migrate import steps
from commands.migrate.replies import build_failure, overview, progress
from commands.migrate.session import Migration, clean, existing, load, plan_of, save, say
from commands.migrate.state import KIND, WizardState, go_back, needed_actions, next_step


async def existing_migration(ctx: Context, inv: Invocation) -> WizardState | None:
    return await existing(ctx)


async def check_start(ctx: Context, inv: Invocation) -> None:
    tool: str = inv["tool"]
    await require_tool(ctx.services.directory, tool)
    current: WizardState | None = inv.subject
    if current is not None and current.tool != tool:
        raise UsageError(f"you are migrating {current.tool}; finish it or 'migrate cancel' first")


def start_action(inv: Invocation) -> str | None:
    return "migrate start" if inv.subject is None else None  # resuming is not an action


async def start(ctx: Context, inv: Invocation) -> Reply:
    current: WizardState | None = inv.subject
    if current is not None:
        return await show_status(ctx, current)
    tool: str = inv["tool"]
    state = WizardState(tool)
    latest = await ctx.services.toolforge.latest_build(tool)
    if latest is not None and latest.source_url:
        try:
            state.repo = chat_repository(latest.source_url, ctx.services.config.gitlab.url).web_url
            return await _review(ctx, state)  # never the credentials a source URL may carry
        except (GitLabError, UsageError) as error:
            # the sentence may quote the build's source URL: never its credentials
            state.repo = ""
            await save(ctx, state)
            return await say(ctx, state, [Text.of(clean(error.sentence) + " ")])
    await save(ctx, state)
    jobs = await ctx.services.toolforge.list_jobs(tool)
    found = ", ".join(f"{j.name} ({j.image})" for j in jobs) or "no jobs"
    return await say(ctx, state, [Text.of(f"{tool} has {found}.")])


async def _review(ctx: Context, state: WizardState) -> Reply:
    plan, _ = await plan_of(ctx, state)
    if state.step == "repo":
        state.step = "review"
    await save(ctx, state)
    internals = await sees_internals(ctx, state.tool)
    return await say(ctx, state, overview(plan, internals=internals))


async def show_status(ctx: Context, state: WizardState) -> Reply:
    parts: list[Part] = [progress(state)]
    if state.step == "build" and state.build_id:
        report = await steps.build_progress(ctx.services.toolforge, state.tool, state.build_id)
        if report.state == "ok":
            plan, web = await plan_of(ctx, state)
            state.done.append("build")
            state.step = next_step(state, needed_actions(plan, published=web is not None))
            parts = [Text.of(report.message), progress(state)]
        elif report.finished:
            state.build_id = ""
            parts += build_failure(report.message, report.excerpt)
        else:
            parts.append(Text.of(report.message + " Ask again with 'migrate status'."))
        await save(ctx, state)
    return await say(ctx, state, parts)


async def _repo(ctx: Context, inv: Invocation) -> Reply:
    state = inv.subject.state
    found = chat_repository(inv["url"], ctx.services.config.gitlab.url)
    state.repo, state.ref = found.web_url, inv["branch"] or ""
    return await _review(ctx, state)


REPO = command(
    "repo",
    summary="say where the tool's code is: a project on the configured GitLab",
    args=(
        Arg("url", "the project's URL or group/project path"),
        Arg("branch", "a branch other than the default one", required=False),
    ),
    permission=Permission.VERIFIED,
    load=load,
)(_repo)


async def _grid(ctx: Context, inv: Invocation) -> Reply:
    state = inv.subject.state
    state.grid.append(inv["text"])
    return await _review(ctx, state)


GRID = command(
    "grid",
    summary="add grid-era lines: jsub/jstart commands, crontab lines, webservice commands",
    args=(Arg("text", "the lines as you use them today; paste several at once", verbatim=True),),
    permission=Permission.VERIFIED,
    load=load,
)(_grid)


async def _plan(ctx: Context, inv: Invocation) -> Reply:
    from bot.migration.render import plan_reply

    state = inv.subject.state
    plan, _ = await plan_of(ctx, state)
    return plan_reply(plan, private=True, internals=await sees_internals(ctx, state.tool))


PLAN = command(
    "plan",
    summary="show the whole plan: files, jobs, commands, what to check",
    permission=Permission.VERIFIED,
    load=load,
)(_plan)


async def _status(ctx: Context, inv: Invocation) -> Reply:
    return await show_status(ctx, inv.subject.state)


STATUS = command(
    "status",
    summary="where the migration stands (and how the build is going)",
    permission=Permission.VERIFIED,
    load=load,
)(_status)


async def _back(ctx: Context, inv: Invocation) -> Reply:
    state = inv.subject.state
    go_back(state)
    await save(ctx, state)
    return await say(ctx, state, [progress(state)])


BACK = command(
    "back",
    summary="go one step back (the last step done or skipped becomes current again)",
    permission=Permission.VERIFIED,
    load=load,
)(_back)


async def _cancel(ctx: Context, inv: Invocation) -> Reply:
    migration: Migration = inv.subject
    await ctx.services.store.conversation_delete(ctx.chat_key, KIND)
    said = f"The migration of {migration.tool} is cancelled; nothing else changes."
    if migration.state.previous_jobs is not None:
        said += " The job definitions it kept from before are forgotten with it."
    return Reply((Text.of(said),), meta={"audit": "migration cancelled"})


CANCEL = command(
    "cancel",
    summary="stop the migration (nothing already done is undone)",
    permission=Permission.VERIFIED,
    load=load,
    audit_action="migrate cancel",
)(_cancel)
