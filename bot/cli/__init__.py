"""The ``forgebot`` command: console, run, link, audit, plan, sandbox."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import logging
import os
import sys
from pathlib import Path
from typing import Any

from bot.config import Config, ConfigError, load_config
from bot.heap import settle
from bot.process_log import configure_logging
from bot.startup_summary import summary


def _config(args: argparse.Namespace) -> Config:
    from adapters import config_models

    path = args.config or os.environ.get("FORGEBOT_CONFIG")
    config = load_config(Path(path) if path else None, adapters=config_models())
    _configure_logging(args, config.log.level, config.log.format)
    if args.action == "run":
        log = logging.getLogger("forgebot")
        for line in summary(config, Path(path) if path else None, os.environ):
            log.info("%s", line)
    return config


def _configure_logging(args: argparse.Namespace, level: str | None, format: str) -> None:
    """The level: -v, else the configured one, else info for the service and warning for
    the commands a person types (whose output is what they asked for)."""
    if args.verbose:
        level = "debug"
    configure_logging(level or ("info" if args.action == "run" else "warning"), format)


async def _console(args: argparse.Namespace) -> int:
    import tempfile

    from adapters.console import ConsoleAdapter
    from bot.app import running_bot

    account = args.account or ("alice" if args.sandbox else os.environ.get("USER", ""))
    if not account:
        print("forgebot console: say who you are with --as ACCOUNT", file=sys.stderr)
        return 2
    config = _config(args)
    with contextlib.ExitStack() as stack:
        fresh = args.sandbox and _default_storage(args)
        if fresh:
            # The sandbox's world starts anew each run; links, confirmations and migrations
            # kept from an earlier run would belong to a world that no longer exists.
            scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="forgebot-")))
            config = config.replace(storage=config.storage.replace(url="", data_dir=scratch))
        async with running_bot(config, sandbox=args.sandbox) as running:
            local = running.sandbox.console_command if running.sandbox else None
            console = ConsoleAdapter(running.bot, account, local_commands=local)
            settle()
            if fresh:
                console.banner += (
                    " The sandbox starts fresh, and so does my database (set "
                    "FORGEBOT_DATA_DIR to keep one between runs)."
                )
            await console.run()
    return 0


def _default_storage(args: argparse.Namespace) -> bool:
    """Whether nothing chose where the console keeps its state (no file, no environment)."""
    chosen = args.config or os.environ.get("FORGEBOT_CONFIG")
    return not chosen and not any(
        os.environ.get(name) for name in ("FORGEBOT_DATA_DIR", "FORGEBOT_DATABASE_URL")
    )


async def _run(args: argparse.Namespace) -> int:
    from adapters import configured_adapters, connect_early

    config = _config(args)
    if not any(table.enabled for table in config.adapters.values()):
        print("forgebot run: no adapter configured ([irc], [zulip] or [slack])", file=sys.stderr)
        return 2
    early = connect_early(config)
    try:
        # The bot's modules load in a worker thread, so that the event loop meanwhile
        # answers the IRC server's registration (CAP, SASL) instead of waiting for them.
        await asyncio.to_thread(importlib.import_module, "bot.app")
        from bot.announce.running import dispatcher_for
        from bot.app import http_front, running_bot
        from bot.bulletin.reminders import reminders_for

        async with running_bot(config, sandbox=args.sandbox) as running:
            adapters = configured_adapters(running.bot.config, running.bot, early)
            async with http_front(running.bot, adapters) as http:
                log = logging.getLogger("forgebot")
                if http is not None:
                    log.info("HTTP server at %s (/healthz, /readyz, /metrics)", http.url)
                log.info("running %s", ", ".join(a.platform for a in adapters))
                # attached by http_front: the dispatcher sends announcements through them
                dispatcher = dispatcher_for(running.bot)
                reminders = reminders_for(running.bot)  # queues reminders the dispatcher sends
                settle()  # the bot is assembled: what exists now lasts as long as the process
                await asyncio.gather(
                    *(a.run() for a in adapters), dispatcher.run(), reminders.run()
                )
    finally:
        for connection in early.values():  # closed by its adapter when one took it over
            connection.close()
    return 0


async def _say(args: argparse.Namespace) -> int:
    """``forgebot announce ...`` / ``forgebot confirm CODE``: one command line through the
    bot as the console's operator (admins only, as in chat); a running bot delivers."""
    from adapters.console import ConsoleAdapter
    from bot.app import open_bot

    account = args.account or os.environ.get("USER", "")
    if not account:
        print(f"forgebot {args.action}: say who you are with --as ACCOUNT", file=sys.stderr)
        return 2
    line = " ".join([args.action, *args.words])
    async with open_bot(_config(args)) as bot:
        console = ConsoleAdapter(bot, account, stdin=sys.stdin, stdout=sys.stdout, colour=False)
        lines = await console.handle_line(line)
    print("\n".join(lines))
    return 1 if lines and lines[0].startswith("error:") else 0


# Sub-commands that pass the rest of the line to the bot as typed in chat.
SAID = {
    "announce": "compose, preview, status, cancel announcements (admins; see help announce)",
    "confirm": "confirm an action with the code it printed",
}


def _say_main(before: list[str], action: str, rest: list[str]) -> int:
    """``forgebot [--config F] announce [--as ACCOUNT] [--config F] <as in chat>``."""
    parser = argparse.ArgumentParser(prog=f"forgebot {action}", add_help=False)
    _global_options(parser, defaults=True)
    args = parser.parse_args(before)
    args.action, args.account = action, None
    while len(rest) >= 2 and rest[0] in ("--as", "--config"):
        setattr(args, "account" if rest[0] == "--as" else "config", rest[1])
        rest = rest[2:]
    args.words = rest
    try:
        return asyncio.run(_say(args))
    except ConfigError as error:
        print(f"forgebot {action}: {error}", file=sys.stderr)
        return 2


async def _link(args: argparse.Namespace) -> int:
    from bot.store import Store

    config = _config(args)
    if args.link_action == "add":
        return await _link_add(config, args)
    if config.storage_url.startswith("sqlite:///"):
        Path(config.storage_url.removeprefix("sqlite:///")).parent.mkdir(
            parents=True, exist_ok=True
        )
    store = await Store.open(config.storage_url)
    try:
        if args.link_action == "remove":
            removed = await store.link_remove(args.chat_key)
            await _cli_audit(store, "link.remove", args.chat_key, "ok" if removed else "invalid",
                             removed.account if removed else "not linked")  # fmt: skip
            print(f"removed {args.chat_key}" if removed else f"no link for {args.chat_key}")
            return 0 if removed else 1
        for link in await store.links():
            print(
                f"{link.chat_key}\t{link.account}\t{link.method}\t{link.created_by}\t"
                f"{link.created_at:%Y-%m-%d}"
            )
    finally:
        await store.close()
    return 0


async def _link_add(config: Config, args: argparse.Namespace) -> int:
    """``forgebot link add``: the same checks as an admin's ``link add`` in chat."""
    from bot.app import open_bot
    from bot.errors import ForgebotError
    from bot.link_admin import admin_link

    async with open_bot(config) as bot:
        store = bot.services.store
        by = os.environ.get("USER", "cli")
        try:
            link = await admin_link(
                bot.services, args.chat_key, args.account, by=by, replace=args.replace
            )
        except ForgebotError as error:
            await _cli_audit(store, "link.add", args.chat_key, "invalid", error.sentence)
            print(f"forgebot link add: {error.sentence}", file=sys.stderr)
            return 2
        await _cli_audit(store, "link.add", link.chat_key, "ok", link.account)
        print(f"linked {link.chat_key} -> {link.account}")
    return 0


async def _cli_audit(store: Any, action: str, target: str, result: str, detail: str) -> None:
    await store.audit(
        actor_account=None, chat_key="cli", platform="cli", action=action, tool="",
        target=target, result=result, detail=detail,
    )  # fmt: skip


async def _audit(args: argparse.Namespace) -> int:
    from bot.store import Store

    store = await Store.open(_config(args).storage_url)
    try:
        for e in await store.audit_events(tool=args.tool, limit=args.limit):
            print(
                f"{e.at:%Y-%m-%d %H:%M:%S}\t{e.actor_account or '-'}\t{e.chat_key}\t"
                f"{e.action}\t{e.tool}\t{e.target}\t{e.result}\t{e.detail}"
            )
    finally:
        await store.close()
    return 0


async def _sandbox(args: argparse.Namespace) -> int:
    from bot.toolforge.sandbox import Sandbox

    box = Sandbox(args.data, require_token=args.token)
    box.clock.run_in_real_time(args.speed)
    box.latency = args.latency
    url = await box.start(args.host, args.port)
    gitlab = f", GitLab at {box.gitlab.url}" if box.gitlab else ""
    print(
        f"Toolforge sandbox at {url} with {', '.join(box.tools)}{gitlab} (Ctrl-C to stop)",
        flush=True,
    )
    try:
        await asyncio.Event().wait()
    finally:
        await box.stop()
    return 0


def _global_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    """--config and -v, accepted before the sub-command and after it.

    After it, an option left out must not reset what was given before it, hence
    no defaults there (argparse.SUPPRESS).
    """
    default: dict[str, Any] = {} if defaults else {"default": argparse.SUPPRESS}
    parser.add_argument(
        "--config", help="TOML configuration file (or $FORGEBOT_CONFIG)", **default
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="debug logging", **default
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="forgebot", description=__doc__)
    _global_options(parser, defaults=True)
    sub = parser.add_subparsers(dest="action", required=True)
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, defaults=False)

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[common], help=help)

    console = command("console", help="talk to the bot in this terminal")
    console.add_argument(
        "--sandbox", action="store_true", help="use the built-in Toolforge sandbox"
    )
    console.add_argument("--as", dest="account", help="developer account to speak as")

    run = command("run", help="run the configured chat adapters")
    run.add_argument("--sandbox", action="store_true", help="use the built-in Toolforge sandbox")

    link = command("link", help="manage identity links (admins)")
    link_sub = link.add_subparsers(dest="link_action", required=True)
    add = link_sub.add_parser("add", help="link a chat identity to a developer account")
    add.add_argument(
        "chat_key", help="irc:<services account>, zulip:<user id> or slack:<workspace>:<user id>"
    )
    add.add_argument("account", help="Wikimedia developer account (shell name)")
    add.add_argument(
        "--replace", action="store_true", help="replace an existing link to another account"
    )
    remove = link_sub.add_parser("remove", help="remove a link")
    remove.add_argument("chat_key")
    link_sub.add_parser("list", help="list links")

    for name, what in SAID.items():
        sub.add_parser(name, help=what, add_help=False)

    audit = command("audit", help="show the audit log")
    audit.add_argument("--tool")
    audit.add_argument("--limit", type=int, default=50)

    box = command("sandbox", help="serve the Toolforge sandbox on its own")
    box.add_argument("--host", default="127.0.0.1")
    box.add_argument("--port", type=int, default=8030, help="0 picks a free port")
    box.add_argument("--data", type=Path, default=None, help="tools TOML (default: the samples)")
    box.add_argument("--token", default=None, help="require this bearer token")
    box.add_argument("--latency", type=float, default=0.0, help="seconds added to each answer")
    box.add_argument(
        "--speed", type=float, default=1.0, help="simulated seconds per real second (0: still)"
    )

    sub.add_parser(
        "plan", help="plan a migration to the build service (see forgebot plan -h)", add_help=False
    )
    return parser


def _action_index(argv: list[str]) -> int | None:
    """Where the sub-command word is, skipping the global options before it."""
    i = 0
    while i < len(argv):
        if argv[i] == "--config":
            i += 2
        elif argv[i].startswith("-"):
            i += 1
        else:
            return i
    return None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    index = _action_index(argv)
    if index is not None and argv[index] in SAID:
        return _say_main(argv[:index], argv[index], argv[index + 1 :])
    if index is not None and argv[index] == "plan":
        # The migration planner owns its own argument parser.
        from bot.cli.plan import plan_main

        return plan_main(argv[index + 1 :])
    args = _parser().parse_args(argv)
    # Until the configuration is read (it may say otherwise): what the environment says.
    # (a wrong value is reported once the configuration is read).
    level = os.environ.get("FORGEBOT_LOG_LEVEL", "").strip().lower()
    format = os.environ.get("FORGEBOT_LOG_FORMAT", "").strip().lower()
    _configure_logging(
        args,
        level if level in ("debug", "info", "warning", "error") else None,
        "json" if format == "json" else "text",
    )
    handlers = {
        "console": _console,
        "run": _run,
        "link": _link,
        "audit": _audit,
        "sandbox": _sandbox,
    }
    try:
        return asyncio.run(handlers[args.action](args))
    except ConfigError as error:
        print(f"forgebot {args.action}: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception:
        if args.action != "run":
            raise
        # One record, in the configured format (a JSON log store keeps the traceback whole).
        logging.getLogger("forgebot").exception("forgebot run stopped on an unexpected error")
        return 1
