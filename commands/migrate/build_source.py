"""What the build step builds: the change, never the branch that does not have it yet.

Once the migration has opened a merge request, the planned files (the Procfile
above all) exist only on its branch until it is merged. So the build waits
for the merge, reading the merge request's state from GitLab each time it is
asked, and says so; or, when the maintainer chooses it explicitly
(``migrate go --from-branch``), it builds the merge request's branch.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.context import Context
from bot.errors import UsageError
from commands.migrate.session import Migration, location_of, token_for

FROM_BRANCH = "from-branch"


@dataclass(frozen=True, slots=True)
class BuildSource:
    """The ref to build and how to name it; ``waiting`` says why nothing is built yet."""

    ref: str
    label: str
    waiting: str = ""


async def build_source(ctx: Context, migration: Migration, *, from_branch: bool) -> BuildSource:
    state, plan = migration.state, migration.plan
    assert plan is not None
    planned = BuildSource(plan.ref, plan.ref or "its default branch")
    if not state.mr_iid:  # no merge request of ours: the files were committed by hand
        if from_branch:
            raise UsageError(
                f"--{FROM_BRANCH} builds the branch of the merge request this migration "
                "opened, and it opened none; reply 'migrate go' to build "
                f"{planned.label}"
            )
        return planned
    from bot.repos.followup import read_merge_request  # python-gitlab, only when used

    location = location_of(ctx, state)
    token = await token_for(ctx, state, location)
    mr = await read_merge_request(location, state.mr_iid, token=token)
    iid = f"!{mr.iid}"
    if mr.merged:
        return BuildSource(mr.target_branch, f"{mr.target_branch} (the merge request {iid} "
                           "is merged)")  # fmt: skip
    if from_branch:
        return BuildSource(
            mr.source_branch,
            f"the branch {mr.source_branch} of the merge request {iid}, not merged yet "
            f"({mr.target_branch} does not have the planned files)",
        )
    hint = ctx.hint
    if mr.open:
        waiting = (
            f"Waiting for the merge request {iid} to be merged ({mr.web_url}): "
            f"{mr.target_branch} does not have the planned files yet, so an image built "
            f"from it would not run the new jobs. Say '{hint('migrate go')}' again once it "
            f"is merged, or '{hint('migrate go --' + FROM_BRANCH)}' to build the branch "
            f"{mr.source_branch} now."
        )
    else:
        waiting = (
            f"The merge request {iid} is {mr.state}, not merged ({mr.web_url}), so "
            f"{mr.target_branch} does not have the planned files. Reopen and merge it, then "
            f"say '{hint('migrate go')}'; or build its branch with "
            f"'{hint('migrate go --' + FROM_BRANCH)}' if it still exists."
        )
    return BuildSource("", "", waiting=waiting)
