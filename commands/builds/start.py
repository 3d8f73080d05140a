"""build start <tool> [ref] [--repo URL]: start a build after confirmation.

The repository and the ref default to those of the tool's latest build, so
"build it again" is ``build start <tool>``; a first build names its public
git repository with ``--repo``.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands import Arg, Confirmation, Flag, Invocation, Permission, command
from bot.context import Context
from bot.errors import UsageError
from bot.reply import Badge, Part, Reply, Strong, Text, Tone
from bot.text import quote_user
from commands.builds.ids import short_id


@dataclass(frozen=True, slots=True)
class Source:
    url: str
    ref: str  # "" for the repository's default branch

    @property
    def label(self) -> str:
        return f"{self.url} at {self.ref or 'its default branch'}"


async def _check(ctx: Context, inv: Invocation) -> Source:
    tool: str = inv["tool"]
    url, ref = inv["repo"], inv["ref"]
    if url is None or ref is None:
        latest = await ctx.services.toolforge.latest_build(tool)
        if url is None:
            if latest is None or not latest.source_url:
                raise UsageError(
                    f"{tool} has no earlier build to take the repository from; say "
                    f"{ctx.hint(f'build start {tool} --repo <public git URL> [ref]')}"
                )
            url = latest.source_url
        if ref is None and latest is not None and latest.source_url == url:
            ref = latest.ref
    if not url.startswith("https://"):
        raise UsageError(
            f"the build service clones public repositories over https; {quote_user(url)} is not "
            "an https:// URL"
        )
    return Source(url, ref or "")


def _describe(inv: Invocation) -> Confirmation:
    source: Source = inv.checked
    return Confirmation(f"start a build of {inv['tool']} from {source.label}", source.label)


async def _start(ctx: Context, inv: Invocation) -> Reply:
    tool: str = inv["tool"]
    source: Source = inv.checked
    client = ctx.services.toolforge
    build_id = await client.start_build(tool, source.url, ref=source.ref or None)
    warnings = client.last_warnings
    name = short_id_of(build_id)
    parts: list[Part] = [
        Text.of("Started build ", Strong(name), f" of {tool} from {source.label}."),
        Text.of(
            f"Follow it with {ctx.hint(f'build status {tool} {name}')} and "
            f"{ctx.hint(f'build logs {tool} {name}')}; it usually takes a few minutes."
        ),
    ]
    parts += [Text.of(Badge("warning", Tone.WARN), f" {w}") for w in warnings]
    return Reply(
        tuple(parts),
        summary=f"started build {name} of {tool}",
        meta={"audit": f"started {build_id} from {source.label}"},
    )


def short_id_of(build_id: str) -> str:
    from bot.toolforge import Build

    return short_id(Build(build_id))


START = command(
    "start",
    summary="build the tool's image again (or from --repo), after confirmation",
    args=(
        Arg("tool", "the Toolforge tool name"),
        Arg("ref", "branch, tag or commit (default: the latest build's)", required=False),
    ),
    flags=(Flag("repo", "the public git repository (default: the latest build's)", kind=str),),
    permission=Permission.MAINTAINER,
    tool_arg="tool",
    check=_check,
    confirm=_describe,
    audit_action="build start",
    acts="build it",
)(_start)
