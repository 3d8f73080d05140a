"""Assemble a running bot from configuration: services, commands, optional sandbox."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.classic import ClassicWebServices
from bot.commands import Command
from bot.config import Config, ConfigError
from bot.core import Bot
from bot.directory import FileDirectory, MaintainerDirectory
from bot.front import FrontProbe
from bot.metrics import Metrics
from bot.registry import CommandRegistry
from bot.services import Services
from bot.store import Store
from bot.toolforge import ToolforgeAuth, ToolforgeClient
from commands import all_commands

if TYPE_CHECKING:
    from bot.adapter import Adapter
    from bot.http import HttpServer
    from bot.toolforge.sandbox import Sandbox

# The sandbox's sample tools; the sandbox itself is imported only when asked for.
SANDBOX_DATA = Path(__file__).parent / "toolforge" / "sandbox" / "tools.toml"
# How much faster than real time the sandbox's world moves under --sandbox: a build
# takes about a minute of simulated time, a few seconds at the console.
SANDBOX_SPEED = 10.0


def toolforge_client(config: Config, metrics: Metrics | None = None) -> ToolforgeClient:
    tf = config.toolforge
    verify: bool | str = tf.ca_file or True
    auth = ToolforgeAuth(
        cert_file=tf.cert_file, key_file=tf.key_file, token=tf.token or None, verify=verify
    )
    tool_auth = {
        tool: ToolforgeAuth(cert_file=c.cert_file, key_file=c.key_file, verify=verify)
        for tool, c in tf.tools.items()
    }
    return ToolforgeClient(
        tf.url, auth=auth, tool_auth=tool_auth or None, timeout=tf.timeout,
        observe=metrics.toolforge_call if metrics else None,
    )  # fmt: skip


@dataclass
class Running:
    bot: Bot
    sandbox: Sandbox | None


@contextlib.asynccontextmanager
async def maintainer_directory(config: Config) -> AsyncIterator[MaintainerDirectory]:
    """LDAP when an [ldap] table is configured; otherwise the [directory] file."""
    if config.ldap is not None:
        from bot.ldap_directory import LdapDirectory

        directory = LdapDirectory(config.ldap)
        try:
            yield directory
        finally:
            await directory.aclose()
        return
    assert config.directory.file is not None
    yield FileDirectory.read(config.directory.file)


@contextlib.asynccontextmanager
async def open_bot(
    config: Config,
    commands: Iterable[Command] | None = None,
    *,
    directory: MaintainerDirectory | None = None,
) -> AsyncIterator[Bot]:
    """A bot with its services open (store, Toolforge client, directory), closed on exit;
    ``directory``: one already made, instead of the configured one."""
    if config.ldap is None and config.directory.file is None:
        raise ConfigError(
            "no maintainer directory configured: add an [ldap] table, "
            "set [directory] file = ..., or use --sandbox"
        )
    async with contextlib.AsyncExitStack() as stack:
        if config.storage_url.startswith("sqlite:///"):
            Path(config.storage_url.removeprefix("sqlite:///")).parent.mkdir(
                parents=True, exist_ok=True
            )
        store = await Store.open(config.storage_url)
        stack.push_async_callback(store.close)
        metrics = Metrics()
        metrics.watch_outbox(store.outbox_depth)
        client = toolforge_client(config, metrics)
        stack.push_async_callback(client.aclose)
        front = FrontProbe(config.front.url, timeout=config.front.timeout,
                           user_agent=config.front.user_agent)  # fmt: skip
        stack.push_async_callback(front.aclose)
        classic = ClassicWebServices(config.kubernetes)
        stack.push_async_callback(classic.aclose)
        if directory is None:
            directory = await stack.enter_async_context(maintainer_directory(config))
        services = Services(
            toolforge=client,
            store=store,
            directory=directory,
            config=config,
            front=front,
            classic=classic,
            metrics=metrics,
        )
        registry = CommandRegistry(all_commands() if commands is None else commands)
        bot = Bot(config, services, registry)
        stack.push_async_callback(bot.follows.aclose)
        yield bot


@contextlib.asynccontextmanager
async def http_front(bot: Bot, adapters: Iterable[Adapter]) -> AsyncIterator[HttpServer | None]:
    """The bot's HTTP server, when anything needs it: the adapters' routes, the link pages
    (whenever self-service linking is configured), or a configured port. ``adapters`` are
    attached to the bot, so that replies nobody asked for reach their platforms."""
    config = bot.config
    adapters = list(adapters)
    routes = []
    for adapter in adapters:
        bot.attach(adapter)
        routes += adapter.http_routes()
    async with contextlib.AsyncExitStack() as stack:
        desk = None
        if config.link.enabled:
            from bot.link_pages import link_routes
            from bot.linking import LinkDesk

            desk = LinkDesk(bot.services, config.link, config.http.public_url, bot.deliver)
            stack.push_async_callback(desk.aclose)
            routes += link_routes(desk)
        pages = None
        if config.pages.enabled and config.http.public_url:
            from bot.answer_pages import AnswerPages

            pages = AnswerPages(
                config.http.public_url, config.pages.ttl_seconds, lambda: bot.services.clock()
            )
            routes += pages.routes()
        if not routes and not config.http.port:
            yield None
            return
        from bot.bulletin.record import record_routes
        from bot.http import HttpServer

        # The public record of announcements, on whichever HTTP server the bot runs.
        services = bot.services
        routes += record_routes(services.store, lambda: services.clock(), config.http.public_url)

        http = HttpServer(
            config.http.host,
            config.http.port,
            readiness=lambda: {a.platform: a.ready.is_set() for a in adapters},
            metrics=bot.services.metrics,
        )
        http.add_routes(routes)
        url = await http.start()
        stack.push_async_callback(http.stop)
        if desk is not None:
            desk.set_public_url(config.http.public_url or url)
            bot.services.links = desk
            stack.callback(setattr, bot.services, "links", None)
        if pages is not None:
            bot.answers.pages = pages
            stack.callback(setattr, bot.answers, "pages", None)
        yield http


@contextlib.asynccontextmanager
async def running_bot(config: Config, *, sandbox: bool = False) -> AsyncIterator[Running]:
    """The configured bot; with ``sandbox``, talking to an in-process Toolforge sandbox."""
    async with contextlib.AsyncExitStack() as stack:
        box: Sandbox | None = None
        directory: MaintainerDirectory | None = None
        if sandbox:
            from bot.toolforge.sandbox import SANDBOX_TOKEN, Sandbox

            box = Sandbox(SANDBOX_DATA)
            box.clock.run_in_real_time(SANDBOX_SPEED)
            url = await box.start()
            stack.push_async_callback(box.stop)
            if config.directory.file is None and config.ldap is None:
                # the sample data's maintainers: the sandbox has read that file already
                directory = FileDirectory(box.directory_tables)
            config = config.replace(
                toolforge=type(config.toolforge)(url=url, timeout=config.toolforge.timeout),
                directory=config.directory.replace(
                    file=config.directory.file or (SANDBOX_DATA if config.ldap is None else None)
                ),
                # the sandbox's offline GitLab holds the sample tools' repositories; never
                # a real token there
                gitlab=config.gitlab.replace(
                    url=box.gitlab.url if box.gitlab else config.gitlab.url, token=SANDBOX_TOKEN
                ),
                # the sandbox also serves the Kubernetes endpoints and the tools' web front
                kubernetes=type(config.kubernetes)(url=url),
                front=config.front.replace(url=f"{url}/front/{{tool}}/"),
            )
        bot = await stack.enter_async_context(open_bot(config, directory=directory))
        if box is not None:
            bot.services.sleep = _on_the_clock_of(box)
        yield Running(bot, box)


def _on_the_clock_of(box: Sandbox) -> Callable[[float], Awaitable[None]]:
    """Waiting for the simulated world takes as long as its faster clock needs."""

    async def sleep(seconds: float) -> None:
        await asyncio.sleep(seconds / max(box.clock.speed, 1.0))

    return sleep
