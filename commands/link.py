"""link: tie your chat identity to your developer account by logging in; admins link others.

``link [account]`` (direct conversation) answers with a one-time URL where the
person logs in with their developer account (see :mod:`bot.linking`).
``link add`` / ``link remove`` are the admins' way for someone else.
"""

from __future__ import annotations

from bot.commands import Arg, Flag, Invocation, Permission, command
from bot.context import Context
from bot.errors import UsageError
from bot.identity import LOCAL_PLATFORMS
from bot.link_admin import admin_link, checked_account, checked_chat_key, checked_link
from bot.reply import Link, Reply, Strong, Text


async def _check_link(ctx: Context, inv: Invocation) -> str | None:
    """The account the login must prove, if any (no side effects)."""
    if inv["account"] is not None:
        return await checked_account(ctx.services, inv["account"])
    current = await ctx.services.store.link_get(ctx.message.sender.key())
    return None if current is None else current.account  # anyone else: unlink first


async def _link(ctx: Context, inv: Invocation) -> Reply:
    sender = ctx.message.sender
    if sender.platform in LOCAL_PLATFORMS:
        raise UsageError("on the console you already act as its operator; nothing to link")
    desk = ctx.services.links
    if desk is None:
        raise UsageError(
            "self-service linking is not set up on this forgebot; "
            f"ask a forgebot admin to link {sender.key()} to your developer account"
        )
    if not ctx.message.direct:
        raise UsageError("ask me for a link in a direct message: the link is for you alone")
    wanted: str | None = inv.checked
    url = await desk.issue(sender, wanted)
    minutes = desk.settings.ttl_seconds // 60
    who = f"as {wanted} " if wanted else ""
    return Reply(
        (
            Text.of(
                f"Open this link within {minutes} minutes and log in {who}with your "
                "Wikimedia developer account: ",
                Link("link my account", url),
            ),
            Text.of("It works once, and only for you: do not share it."),
        ),
        private=True,
        summary="a link URL, sent privately",
        meta={"audit": f"link URL issued for {wanted or 'any account'}"},
    )


async def _check_add(ctx: Context, inv: Invocation) -> tuple[str, str]:
    return await checked_link(
        ctx.services, inv["identity"], inv["account"], replace=bool(inv["replace"])
    )


async def _add(ctx: Context, inv: Invocation) -> Reply:
    link = await admin_link(
        ctx.services,
        inv["identity"],
        inv["account"],
        by=ctx.account or ctx.chat_key,
        replace=bool(inv["replace"]),
    )
    return Reply.text(
        "Linked ", Strong(link.chat_key), " to the developer account ", Strong(link.account), "."
    )


async def _check_remove(ctx: Context, inv: Invocation) -> str:
    key = checked_chat_key(inv["identity"])
    if await ctx.services.store.link_get(key) is None:
        raise UsageError(f"{key} is not linked")
    return key


async def _remove(ctx: Context, inv: Invocation) -> Reply:
    key: str = inv.checked
    removed = await ctx.services.store.link_remove(key)
    if removed is None:
        raise UsageError(f"{key} is not linked")
    return Reply(
        (Text.of("Removed the link of ", Strong(key), f" (it was {removed.account})."),),
        summary=f"unlinked {key}",
        meta={"audit": f"was {removed.account}"},
    )


_IDENTITY = Arg("identity", "irc:<services account>, zulip:<user id> or slack:<user id>")

COMMAND = command(
    "link",
    summary="link your chat identity to your developer account by logging in",
    args=(Arg("account", "the developer account you will log in as", required=False),),
    permission=Permission.VERIFIED,
    check=_check_link,
    audit_action="link",
    details=(
        "Say it in a direct message: I answer with a one-time link where you log in with "
        "your Wikimedia developer account. Admins: link add / link remove for others."
    ),
    subcommands=(
        command(
            "add",
            summary="link someone's chat identity to a developer account (admins)",
            args=(_IDENTITY, Arg("account", "the developer account (shell name)")),
            flags=(Flag("replace", "replace an existing link to another account"),),
            permission=Permission.ADMIN,
            target_arg="identity",
            check=_check_add,
            audit_action="link.add",
        )(_add),
        command(
            "remove",
            summary="remove someone's link (admins)",
            args=(_IDENTITY,),
            permission=Permission.ADMIN,
            target_arg="identity",
            check=_check_remove,
            audit_action="link.remove",
        )(_remove),
    ),
)(_link)
