"""What a command handler receives besides its arguments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from bot.message import Message

if TYPE_CHECKING:
    from bot.registry import CommandRegistry
    from bot.reply import Reply
    from bot.services import Services


class Runner(Protocol):
    """The part of the core a command may call back into (``confirm`` does)."""

    async def run_confirmed(self, ctx: Context, code: str) -> Reply: ...


@dataclass(frozen=True)
class Context:
    """The message, who sent it (as a developer account, if linked) and the services.

    ``prefix`` is how the user addresses the bot where they are (``!tf `` in a
    room, nothing in a direct conversation), so replies can say exactly what
    to type next.
    """

    message: Message
    account: str | None
    services: Services
    registry: CommandRegistry
    runner: Runner
    prefix: str = ""
    is_admin: bool = False
    limits: str = ""  # the rate limits in words, for help
    how: str | None = None  # how the account was established (bot.identity.HOW)
    directory_problem: str | None = None  # the directory could not say who this is

    def hint(self, command_line: str) -> str:
        return f"{self.prefix}{command_line}"

    @property
    def chat_key(self) -> str:
        return self.message.sender.key()
