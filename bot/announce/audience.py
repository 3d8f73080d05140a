"""Who an announcement reaches: configured channels and the maintainers of tools.

Tools are named explicitly, taken all, or chosen by selectors evaluated
through the Toolforge jobs API (every selector given must hold):

- ``image=<name>``: a job runs on that image (``python3.9``);
- ``deprecated``: a job runs on an image the API calls deprecated;
- ``no-build-service``: no job runs on a build-service image;
- ``job-state=<state>``: a job is in that state (``failed``, ``running``…).

Each maintainer becomes one delivery per chat platform they are linked on
(one message listing all their tools), or an email when they have no link on
a platform forgebot serves, or an ``unreachable`` row when there is no mail
either. Resolution has no side effects: a preview and its confirmation both
resolve, and a code is stale if the two differ.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import Counter
from dataclasses import dataclass, field

from bot.directory import require_tool
from bot.errors import ToolforgeError, UsageError
from bot.services import Services
from bot.store import Recipient
from bot.text import quote_user
from bot.toolforge import Job

PLATFORM_NAMES = {"irc": "IRC", "zulip": "Zulip", "slack": "Slack", "email": "email",
                  "console": "console"}  # fmt: skip
SELECTOR_NAMES = ("image", "deprecated", "no-build-service", "job-state")


@dataclass(frozen=True)
class Selector:
    """Conditions on a tool's jobs; an empty selector selects every tool."""

    image: str | None = None
    deprecated: bool = False
    no_build_service: bool = False
    job_state: str | None = None

    def __bool__(self) -> bool:
        return bool(self.image or self.deprecated or self.no_build_service or self.job_state)

    def matches(self, jobs: list[Job]) -> bool:
        if self.image and not any(self.image in (j.image, j.raw.get("imagename")) for j in jobs):
            return False
        if self.deprecated and not any(j.image_state == "deprecated" for j in jobs):
            return False
        if self.no_build_service and any(j.uses_build_service for j in jobs):
            return False
        return not (self.job_state and not any(j.state == self.job_state for j in jobs))

    def describe(self) -> str:
        said = []
        if self.image:
            said.append(f"jobs on image {self.image}")
        if self.deprecated:
            said.append("jobs on deprecated images")
        if self.no_build_service:
            said.append("no build-service image")
        if self.job_state:
            said.append(f"a job {self.job_state}")
        return " and ".join(said)


@dataclass(frozen=True)
class AudienceRequest:
    """What the admin asked for."""

    channels: tuple[str, ...] = ()
    tools: tuple[str, ...] = ()
    all_tools: bool = False
    selector: Selector = field(default_factory=Selector)

    @property
    def wants_maintainers(self) -> bool:
        return bool(self.tools or self.all_tools or self.selector)

    def describe(self) -> str:
        said = []
        if self.wants_maintainers:
            scope = ", ".join(self.tools) if self.tools else "all tools"
            condition = self.selector.describe()
            said.append(f"maintainers of {scope}" + (f" with {condition}" if condition else ""))
        said.extend(self.channels)
        return "; ".join(said)


@dataclass(frozen=True)
class Audience:
    """The resolved audience: every delivery to make, and what the preview says."""

    request: AudienceRequest
    tools: dict[str, frozenset[str]]  # tool -> its maintainers
    recipients: tuple[Recipient, ...]

    @property
    def people(self) -> set[str]:
        return {r.recipient for r in self.recipients if r.kind != "channel"}

    def per_platform(self) -> Counter[str]:
        """Distinct people reachable on each platform (email included)."""
        return Counter(r.destination.partition(":")[0] for r in self.recipients
                       if r.kind in ("dm", "email"))  # fmt: skip

    def unreachable(self) -> list[Recipient]:
        return [r for r in self.recipients if r.status == "unreachable"]

    def channels(self) -> list[str]:
        return [r.destination for r in self.recipients if r.kind == "channel"]

    def digest(self) -> str:
        """What a confirmation code is bound to: exactly these deliveries."""
        rows = sorted(f"{r.recipient}|{r.destination}|{','.join(r.tools)}" for r in self.recipients)
        return hashlib.sha256("\n".join(rows).encode()).hexdigest()[:32]


def check_channels(channels: tuple[str, ...], configured: tuple[str, ...]) -> None:
    for channel in channels:
        if channel not in configured:
            known = ", ".join(configured) or "none are configured ([announce] channels)"
            raise UsageError(
                f"{quote_user(channel)} is not a configured announcement channel "
                f"(they are: {known})"
            )


async def resolve(services: Services, request: AudienceRequest) -> Audience:
    """The deliveries ``request`` means now; raises UsageError when it means nobody."""
    settings = services.config.announce
    check_channels(request.channels, settings.channels)
    tools: dict[str, frozenset[str]] = {}
    if request.wants_maintainers:
        tools = await _tools(services, request)
    recipients: list[Recipient] = [Recipient(c, c, "channel") for c in request.channels]
    recipients += await _people(services, tools)
    if not recipients:
        what = request.describe() or "no channel and no tools"
        raise UsageError(f"that audience ({what}) is nobody: no channel, no maintainer; "
                         "nothing would be sent")  # fmt: skip
    return Audience(request, tools, tuple(recipients))


async def _tools(services: Services, request: AudienceRequest) -> dict[str, frozenset[str]]:
    directory = services.directory
    if request.tools:
        named = {tool: await require_tool(directory, tool) for tool in request.tools}
    else:
        names = await directory.tool_names()
        named = dict(zip(names, await asyncio.gather(*map(directory.maintainers, names)),
                         strict=True))  # fmt: skip
    if not request.selector:
        return named
    chosen = await _select(services, list(named), request.selector)
    return {tool: named[tool] for tool in chosen}


async def _select(services: Services, tools: list[str], selector: Selector) -> list[str]:
    """The tools whose jobs match; raises UsageError naming the tools the API did not answer for."""
    limit = asyncio.Semaphore(services.config.announce.selector_concurrency)
    failures: dict[str, str] = {}

    async def jobs_of(tool: str) -> list[Job] | None:
        async with limit:
            try:
                return await services.toolforge.list_jobs(tool)
            except ToolforgeError as error:
                failures[tool] = error.sentence
                return None

    found = await asyncio.gather(*map(jobs_of, tools))
    if failures:
        names = sorted(failures)
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        raise UsageError(
            f"I cannot tell which tools have {selector.describe()}: the jobs API did not answer "
            f"for {shown} ({failures[names[0]]}); nothing was sent"
        )
    return [tool for tool, jobs in zip(tools, found, strict=True) if jobs is not None
            and selector.matches(jobs)]  # fmt: skip


async def _people(services: Services, tools: dict[str, frozenset[str]]) -> list[Recipient]:
    """One delivery per maintainer and platform, or email, or an unreachable row."""
    tools_of: dict[str, list[str]] = {}
    for tool, maintainers in sorted(tools.items()):
        for account in maintainers:
            tools_of.setdefault(account, []).append(tool)
    if not tools_of:
        return []
    served = {name for name, table in services.config.adapters.items() if table.enabled}
    links: dict[str, list[str]] = {}
    for link in await services.store.links():
        if link.account in tools_of and link.chat_key.partition(":")[0] in served:
            links.setdefault(link.account, []).append(link.chat_key)
    settings = services.config.announce
    found: list[Recipient] = []
    for account, theirs in sorted(tools_of.items()):
        mine = tuple(theirs)
        if account in links:
            found += [Recipient(account, key, "dm", mine) for key in sorted(links[account])]
            continue
        address = await _mail_address(services, account)
        if settings.smtp_host and address:
            found.append(Recipient(account, f"email:{address}", "email", mine))
        else:
            why = "no chat link" + (", and no mail server configured" if address else
                                    ", and no email address")  # fmt: skip
            found.append(Recipient(account, "none:", "none", mine, "unreachable", why))
    return found


async def _mail_address(services: Services, account: str) -> str | None:
    """Toolforge forwards <account>@<mail domain> to the address on file; without a
    mail domain, the directory's address."""
    domain = services.config.announce.mail_domain
    if domain:
        return f"{account}@{domain}"
    known = await services.directory.account(account)
    return known.email if known is not None else None
