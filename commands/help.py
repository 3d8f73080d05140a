"""help [command [sub-command] | topic]: generated from the command declarations,
plus a few curated topics (:mod:`bot.help_topics`) that are not commands."""

from __future__ import annotations

from bot.commands import Arg, Command, Invocation, Permission, command
from bot.context import Context
from bot.errors import UsageError
from bot.help_topics import Topic, find_topic, topic_names
from bot.reply import Bullets, Link, Part, Reply, Strong, Text
from bot.text import quote_user


async def _help(ctx: Context, inv: Invocation) -> Reply:
    path = " ".join((inv["command"] or "").lower().split())
    if not path:
        items = tuple((Strong(c.name), f" — {c.summary}") for c in ctx.registry)
        return Reply(
            (
                Text.of(f"Commands (type {ctx.hint('help <command>')} for details):"),
                Bullets(items),
                Text.of(f"Topics: {', '.join(topic_names())} (type {ctx.hint('help <topic>')})."),
                Text.of(ctx.limits),
            ),
            summary="forgebot commands",
        )
    cmd = ctx.registry.find(path)
    if cmd is None:
        topic = find_topic(path)
        if topic is not None:
            return _topic(topic)
        near = ctx.registry.suggest(path.split()[0], [*ctx.registry.names(), *topic_names()])
        hint = f"; did you mean {near}?" if near else ""
        raise UsageError(f"there is no command or help topic {quote_user(path)}{hint}")
    return Reply(tuple(_describe(ctx, cmd)), summary=f"help for {cmd.path}")


def _topic(topic: Topic) -> Reply:
    links = tuple((Link(label, url),) for label, url in topic.links)
    return Reply(
        (Text.of(Strong(topic.title + ".")), Text.of(" ".join(topic.sentences)), Bullets(links)),
        summary=f"help: {topic.title}",
    )


def _describe(ctx: Context, cmd: Command) -> list[Part]:
    parts: list[Part] = []
    # Each its own sentence: a chat that joins lines must not run usage and summary together.
    if cmd.handler is not None:
        parts.append(Text.of("Usage: ", Strong(ctx.hint(cmd.usage()))))
    parts.append(Text.of(_sentence(cmd.summary) + (" " + cmd.details if cmd.details else "")))
    described = [(f"<{a.name}>", a.help) for a in cmd.args if a.help]
    described += [(f"--{f.name}", f.help) for f in cmd.flags if f.help]
    if described:
        parts.append(Bullets(tuple((Strong(n), f": {h}") for n, h in described)))
    if cmd.subcommands:
        more = ctx.hint(f"help {cmd.path} <sub-command>")
        parts.append(Text.of(f"Sub-commands (type {more} for details):"))
        subs = tuple((Strong(ctx.hint(s.usage())), f" — {s.summary}") for s in cmd.subcommands)
        parts.append(Bullets(subs))
    if cmd.permission is not Permission.PUBLIC:
        parts.append(Text.of(f"Who may use it: {cmd.permission.value}."))
    if cmd.confirm is not None:
        parts.append(Text.of("It asks for a confirmation code before acting."))
    return parts


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


COMMAND = command(
    "help",
    summary="list the commands, explain one (help migrate go), or a topic (help oauth)",
    args=(Arg("command", "a command (and a sub-command), or a topic", required=False,
              rest=True),),  # fmt: skip
)(_help)
