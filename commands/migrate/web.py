"""The web service's steps: stop the classic one (by hand), run it as a published job.

A classic web service (``webservice <type> start``) is not in the jobs API,
and forgebot has no way to stop it yet: that step says exactly what to type,
and the maintainer answers ``migrate skip`` once done. Then the web service
runs as a continuous job of the jobs API on the new image, with a port and
published at ``https://<tool>.toolforge.org/``. A tool whose web service is
already a published job has it restarted on the new image instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.context import Context
from bot.job_view import web_url
from bot.reply import Strong, Text
from bot.toolforge import ToolforgeClient

if TYPE_CHECKING:
    from bot.migration.plan import Plan


def stop_classic(ctx: Context, tool: str) -> Text:
    return Text.of(
        "forgebot cannot stop a classic web service yet, so this step is yours: log in to "
        "Toolforge, become the tool with ", Strong(f"become {tool}"), ", type ",
        Strong("webservice stop"), ", then reply ", Strong(ctx.hint("migrate skip")),
        ". The web service is down from then until the next step runs it as a job.",
    )  # fmt: skip


def describe_web(plan: Plan, published: str | None) -> str:
    web = plan.web_job
    if web is None:
        return f"restart the web service {published} of {plan.tool} on the new image"
    mount = ", with NFS mounted" if web.mount == "all" else ""
    return (
        f"run the web service of {plan.tool} as the continuous job {web.name} on {web.image} "
        f"(command {web.command}, port {web.port}{mount}), published at {web_url(plan.tool)}"
    )


async def run_web(client: ToolforgeClient, plan: Plan, published: str | None) -> str:
    from bot.migration.apispec import job_spec

    web = plan.web_job
    if web is None:
        return await client.restart_job(plan.tool, published or "")
    said = await client.load_job(plan.tool, job_spec(web))
    return f"The web service runs as the job {web.name}, published: {said}"
