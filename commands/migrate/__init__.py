"""migrate <tool> | repo | grid | plan | go | skip | status | back | cancel

A guided, resumable move of a tool to the build service. Anyone may get the
plan; only the tool's maintainers may carry it out, one confirmed step at a
time (merge request, build, jobs, deletions, web service, check). The state
lives in the store, so a bot restart loses nothing; every action is audited.

The repository is bound to the tool. forgebot's GitLab token is used only for
a maintainer of the tool and only on the tool's own repository
(``toolforge-repos/<tool>`` on the configured GitLab): reading a private one,
and opening the merge request there. Everyone else, and every other project,
is read anonymously. A build starts only from the tool's own repository or the
one its latest build came from. A confirmation runs only if the step it
described is still exactly what would be done.
"""

from __future__ import annotations

import hashlib

from bot.commands import Arg, Invocation, command
from bot.context import Context
from bot.directory import require_tool
from bot.errors import ForgebotError, GitLabError, PermissionDenied, UsageError
from bot.migration.plan import Plan, plan_for
from bot.migration.render import plan_reply
from bot.redact import redact
from bot.reply import Part, Reply, Strong, Table, Text
from bot.repos import inspect_gitlab
from bot.repos.gitlab import (
    GitLabLocation,
    chat_repository,
    parse_location,
    tool_repository,
    without_userinfo,
)
from commands.migrate import steps
from commands.migrate.replies import build_failure, next_hint, overview, progress
from commands.migrate.state import (
    ACTIONS,
    DESCRIPTIONS,
    KIND,
    WizardState,
    go_back,
    needed_actions,
    next_step,
)

SUBCOMMANDS = ("repo", "grid", "plan", "go", "skip", "status", "back", "cancel", "do")
_CONFIRM_ACTIONS = {"mr", "build", "jobs", "delete", "web"}


async def _migrate(ctx: Context, inv: Invocation) -> Reply:
    words = (inv["args"] or "").split()
    if not words:
        raise UsageError("say which tool: migrate <tool> (or migrate status)")
    if not ctx.message.sender.verified:
        raise PermissionDenied("I can only keep a migration for someone the chat service "
                               "identifies; log in to your account and try again")  # fmt: skip
    head, rest = words[0].lower(), words[1:]
    if head not in SUBCOMMANDS:
        return await _start(ctx, words[0])
    state = await _load(ctx)
    if head == "repo":
        if not rest:
            raise UsageError("migrate repo <git URL> [branch]")
        found = chat_repository(rest[0], ctx.services.config.gitlab_url)
        state.repo, state.ref = found.web_url, (rest[1] if len(rest) > 1 else "")
        state.invalidate()
        return await _review(ctx, state)
    if head == "grid":
        state.grid.append(" ".join(rest))
        state.invalidate()
        return await _review(ctx, state)
    if head == "plan":
        plan, _ = await _plan(ctx, state)
        return plan_reply(plan, private=True)
    if head == "status":
        return await _status(ctx, state)
    if head == "back":
        go_back(state)
        await _save(ctx, state)
        return await _say(ctx, state, [progress(state)])
    if head == "cancel":
        await ctx.services.store.conversation_delete(ctx.chat_key, KIND)
        await _audit(ctx, state.tool, "cancel", "ok", "migration cancelled")
        return Reply.text(f"The migration of {state.tool} is cancelled; nothing else changes.")
    await _require_maintainer(ctx, state.tool)
    if head == "go":
        return await _go(ctx, state)
    if head == "skip":
        return await _skip(ctx, state)
    return await _do(ctx, state, rest)


async def _start(ctx: Context, tool: str) -> Reply:
    await require_tool(ctx.services.directory, tool)
    existing = await ctx.services.store.conversation_get(ctx.chat_key, KIND)
    if existing is not None:
        state = WizardState.from_json(existing.load_state())
        if state.tool != tool:
            raise UsageError(f"you are migrating {state.tool}; finish it or 'migrate cancel' first")
        return await _status(ctx, state)
    state = WizardState(tool)
    latest = await ctx.services.toolforge.latest_build(tool)
    await _audit(ctx, tool, "start", "ok", "migration started")
    if latest is not None and latest.source_url:
        try:
            source = chat_repository(latest.source_url, ctx.services.config.gitlab_url)
            state.repo = source.web_url  # never the credentials a source URL may carry
            return await _review(ctx, state)
        except (GitLabError, UsageError) as error:
            # the sentence may quote the build's source URL: never its credentials
            state.repo = ""
            await _save(ctx, state)
            return await _say(ctx, state, [Text.of(_clean(error.sentence) + " ")])
    await _save(ctx, state)
    jobs = await ctx.services.toolforge.list_jobs(tool)
    found = ", ".join(f"{j.name} ({j.image})" for j in jobs) or "no jobs"
    return await _say(ctx, state, [Text.of(f"{tool} has {found}.")])


async def _review(ctx: Context, state: WizardState) -> Reply:
    plan, _ = await _plan(ctx, state)
    if state.step == "repo":
        state.step = "review"
    await _save(ctx, state)
    return await _say(ctx, state, overview(plan))


async def _status(ctx: Context, state: WizardState) -> Reply:
    parts: list[Part] = [progress(state)]
    if state.step == "build" and state.build_id:
        report = await steps.build_progress(ctx.services.toolforge, state.tool, state.build_id)
        if report.state == "ok":
            plan, web = await _plan(ctx, state)
            state.done.append("build")
            state.step = next_step(state, needed_actions(plan, web_job=web is not None))
            parts = [Text.of(report.message), progress(state)]
        elif report.finished:
            state.build_id = ""
            parts += build_failure(report.message, report.excerpt)
        else:
            parts.append(Text.of(report.message + " Ask again with 'migrate status'."))
        await _save(ctx, state)
    return await _say(ctx, state, parts)


async def _go(ctx: Context, state: WizardState) -> Reply:
    if state.step == "repo":
        raise UsageError("tell me where the code is first: migrate repo <git URL>")
    plan, web = await _plan(ctx, state)
    actions = needed_actions(plan, web_job=web is not None)
    if state.step == "review":
        state.step = next_step(state, actions)
    if state.step == "build" and state.build_id:
        await _save(ctx, state)
        return await _status(ctx, state)
    if state.step == "done":
        await _save(ctx, state)
        return await _say(ctx, state, [])
    if state.step == "check":
        healthy, rows = await steps.check_jobs(ctx.services.toolforge, plan)
        await _audit(ctx, state.tool, "check", "ok" if healthy else "failed", str(rows))
        if healthy:
            state.done.append("check")
            state.step = next_step(state, actions)
        await _save(ctx, state)
        verdict = "All new jobs are up." if healthy else "Some jobs are not right yet:"
        return await _say(ctx, state, [Text.of(verdict), Table(("job", "state"), tuple(rows))])
    await _require_bound(ctx, state, state.step, plan)
    description = _describe(state.step, plan, web)
    nonce = state.new_nonce()
    code = await ctx.services.store.confirmation_create(
        chat_key=ctx.chat_key,
        command="migrate",
        arguments={"args": f"do {state.step} {nonce} {_fingerprint(description)}"},
        description=description,
        now=ctx.services.clock(),
        ttl_seconds=ctx.services.config.confirm_ttl_seconds,
    )
    await _save(ctx, state)
    return Reply(
        (Text.of(f"This will {description}."),
         Text.of("To go ahead, reply ", Strong(ctx.hint(f"confirm {code}")), ".")),
        summary=f"confirm with {ctx.hint(f'confirm {code}')}",
        meta={"confirm_code": code},
    )  # fmt: skip


async def _do(ctx: Context, state: WizardState, rest: list[str]) -> Reply:
    step, nonce, fingerprint = (rest + ["", "", ""])[:3]
    if step != state.step or not nonce or nonce != state.nonce:
        raise UsageError(_STALE)
    state.nonce = ""
    await _save(ctx, state)  # a confirmation is used once, whatever happens next
    plan, web = await _plan(ctx, state)
    if _fingerprint(_describe(step, plan, web)) != fingerprint:
        raise UsageError(_STALE)  # the plan changed since it was described
    await _require_bound(ctx, state, step, plan)
    client = ctx.services.toolforge
    try:
        finished = True
        if step == "mr":
            location = _location(ctx, state)
            token = await _token_for(ctx, state, location)
            state.mr_url, sentence = await steps.open_mr(location, plan, token)
        elif step == "build":
            state.build_id, sentence = await steps.start_build(client, plan)
            finished = False
        elif step == "jobs":
            sentence = await steps.load_jobs(client, plan)
        elif step == "delete":
            sentence = await steps.delete_jobs(client, plan)
        else:
            sentence = await steps.restart_web(client, state.tool, web or "")
    except ForgebotError as error:
        await _save(ctx, state)
        await _audit(ctx, state.tool, step, "failed", error.sentence)
        raise
    sentence = _clean(sentence)  # it quotes the APIs' own messages
    await _audit(ctx, state.tool, step, "ok", sentence)
    if finished:
        state.done.append(step)
        state.step = next_step(state, needed_actions(plan, web_job=web is not None))
    await _save(ctx, state)
    tail = " Follow it with 'migrate status'." if step == "build" else ""
    return await _say(ctx, state, [Text.of(sentence + tail)])


async def _skip(ctx: Context, state: WizardState) -> Reply:
    plan, web = await _plan(ctx, state)
    if state.step == "review":
        state.step = next_step(state, needed_actions(plan, web_job=web is not None))
    if state.step not in ACTIONS:
        raise UsageError(f"there is no step to skip while at '{state.step}'")
    await _audit(ctx, state.tool, state.step, "skipped", "done by hand")
    state.skipped.append(state.step)
    state.build_id = ""
    state.step = next_step(state, needed_actions(plan, web_job=web is not None))
    await _save(ctx, state)
    return await _say(ctx, state, [progress(state)])


def _describe(step: str, plan: Plan, web: str | None) -> str:
    if step == "mr":
        files = ", ".join(f.path for f in plan.files)
        return f"open a merge request on {plan.repository} adding {files}"
    if step == "build":
        return f"start a build of {plan.tool} from {plan.clone_url}"
    if step == "jobs":
        names = ", ".join(j.name for j in plan.jobs)
        return f"create or update {len(plan.jobs)} jobs of {plan.tool} on {plan.image}: {names}"
    if step == "delete":
        return f"delete the jobs {', '.join(plan.delete_jobs)} of {plan.tool}"
    if step == "web":
        return f"restart the web service {web} of {plan.tool}"
    return DESCRIPTIONS.get(step, step)


_STALE = "that confirmation is for a step that is no longer current; see 'migrate status'"


def _fingerprint(description: str) -> str:
    """Binds a confirmation to the exact step it described."""
    return hashlib.sha256(description.encode()).hexdigest()[:16]


def _location(ctx: Context, state: WizardState) -> GitLabLocation:
    """The conversation's repository on the configured GitLab; never a path on disk."""
    # checked again here for state saved before the check existed
    return chat_repository(state.repo, ctx.services.config.gitlab_url)


def _own_repository(ctx: Context, tool: str) -> GitLabLocation:
    return tool_repository(tool, ctx.services.config.gitlab_url)


async def _token_for(ctx: Context, state: WizardState, location: GitLabLocation) -> str | None:
    """forgebot's GitLab token, only for a maintainer and only on the tool's own repository;
    everyone and everything else is read anonymously (public projects only)."""
    if not location.same_as(_own_repository(ctx, state.tool)):
        return None
    if not await _is_maintainer(ctx, state.tool):
        return None
    return ctx.services.config.gitlab_token


async def _built_from(ctx: Context, tool: str, location: GitLabLocation) -> bool:
    """Whether the tool's latest build came from ``location``."""
    latest = await ctx.services.toolforge.latest_build(tool)
    if latest is None or not latest.source_url:
        return False
    source = parse_location(without_userinfo(latest.source_url), ctx.services.config.gitlab_url)
    return source.same_as(location)


async def _require_bound(ctx: Context, state: WizardState, step: str, plan: Plan) -> None:
    """Refuse a merge request or a build on a repository that is not the tool's.

    The merge request is written with forgebot's own GitLab token, so it goes only to
    ``toolforge-repos/<tool>``: the latest build's source is not proof of ownership (any
    maintainer can build from any public URL), and trusting it would let them point the
    token at any project. A build runs as the tool, so the latest build's source will do.
    """
    if step not in ("mr", "build"):
        return
    tool = state.tool
    own = _own_repository(ctx, tool)
    location = _location(ctx, state)
    if step == "mr":
        if location.same_as(own):
            return
        why = (
            f"I open merge requests only on {tool}'s own repository, {own.web_url}, and "
            f"{location.web_url} is not it. Commit the planned files yourself (see "
            "'migrate plan'), then reply 'migrate skip'; or ask a Toolforge admin to put "
            f"the code in {own.web_url}."
        )
    elif not _points_to(ctx, plan.clone_url, location):
        why = (
            f"GitLab gives {plan.clone_url or 'no clone URL'} for {location.web_url}, so I "
            "will not build from it; name the repository by its current path."
        )
    else:
        if location.same_as(own) or await _built_from(ctx, tool, location):
            return
        why = (
            f"I start builds of {tool} only from its own repository ({own.web_url}) or the one "
            f"its latest build came from, and {location.web_url} is neither. Start it yourself "
            f"with 'toolforge build start {location.web_url}' as the tool, then reply "
            "'migrate skip'; or ask a Toolforge admin."
        )
    await _audit(ctx, tool, step, "refused", why)
    raise PermissionDenied(why)


def _points_to(ctx: Context, url: str, location: GitLabLocation) -> bool:
    """Whether a URL GitLab gave back for the project is the project we bound to."""
    if not url:
        return False
    return parse_location(url, ctx.services.config.gitlab_url).same_as(location)


def _clean(sentence: str) -> str:
    return redact(without_userinfo(sentence))


async def _plan(ctx: Context, state: WizardState) -> tuple[Plan, str | None]:
    jobs = await ctx.services.toolforge.list_jobs(state.tool)
    web = next((j.name for j in jobs if j.is_webservice), None)
    report = None
    if state.repo:
        location = _location(ctx, state)
        report = await inspect_gitlab(
            location,
            tool=state.tool,
            token=await _token_for(ctx, state, location),
            ref=state.ref or None,
        )
    current = {"jobs": [j.raw for j in jobs]}
    plan = plan_for(
        state.tool,
        report,
        grid_text="\n".join(state.grid),
        current_jobs=current,
        guide_base=ctx.services.config.guides_url,
    )
    return plan, web


async def _say(ctx: Context, state: WizardState, parts: list[Part]) -> Reply:
    maintainer = await _is_maintainer(ctx, state.tool)
    hint = next_hint(ctx.hint, state, maintainer=maintainer)
    return Reply((*parts, hint), summary=f"migrate {state.tool}: {state.step}")


async def _load(ctx: Context) -> WizardState:
    found = await ctx.services.store.conversation_get(ctx.chat_key, KIND)
    if found is None:
        raise UsageError("no migration in progress; start one with: migrate <tool>")
    return WizardState.from_json(found.load_state())


async def _save(ctx: Context, state: WizardState) -> None:
    await ctx.services.store.conversation_put(
        ctx.chat_key, KIND, tool=state.tool, step=state.step, state=state.to_json(),
        now=ctx.services.clock(),
    )  # fmt: skip


async def _is_maintainer(ctx: Context, tool: str) -> bool:
    return ctx.account is not None and ctx.account in await require_tool(
        ctx.services.directory, tool
    )


async def _require_maintainer(ctx: Context, tool: str) -> None:
    if not await _is_maintainer(ctx, tool):
        raise PermissionDenied(f"only maintainers of {tool} may carry out its migration; "
                               "'migrate plan' still shows the plan")  # fmt: skip


async def _audit(ctx: Context, tool: str, step: str, result: str, detail: str) -> None:
    await ctx.services.store.audit(
        actor_account=ctx.account, chat_key=ctx.chat_key, platform=ctx.message.platform,
        action=f"migrate {step}", tool=tool, target=step, result=result, detail=detail[:1000],
    )  # fmt: skip


COMMAND = command(
    "migrate",
    summary="plan and carry out the move of a tool to the build service, step by step",
    args=(
        Arg(
            "args",
            help="<tool>, or repo/grid/plan/go/skip/status/back/cancel",
            rest=True,
            required=False,
        ),
    ),  # fmt: skip
    details="Start with 'migrate <tool>'. Anyone gets the plan; maintainers confirm each step.",
)(_migrate)
