"""Questions in plain words, read as the command they mean.

"why is mytool down?", "is mytool broken", "mytool 502", "who maintains
mytool" are read as ``diagnose mytool`` or ``maintainers mytool`` ("is
Toolforge down?", "is it me or Toolforge?" as ``news``), and the
answer starts with "I read this as ..." so a wrong reading is visible. An
action that changes something ("restart my tool") is never run from a
guess: the answer is the command to type, which then asks for a
confirmation as usual. "my tool" is the speaker's tool when they maintain
exactly one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.identity import resolve_identity
from bot.reply import Reply, Text

if TYPE_CHECKING:
    from bot.message import ChatIdentity
    from bot.services import Services

# The tool slot: a name, a web address of it, or "my tool"/"my bot"/"it".
_TOOL = (r"(?P<tool>https?://[\w.-]+(?:/\S*)?|[\w.-]+\.toolforge\.org"
         r"|my (?:tool|bot|web ?service)|[\w.-]+)")  # fmt: skip
_DOWN = (r"(?:down|broken|dead|offline|not working|not loading|not responding|failing|erroring"
         r"|crashing|crashed|unreachable|slow|stuck|gone)")  # fmt: skip
_ASK = r"(?:can you |could you |would you |please |pls |plz )*"
# (pattern, command, changes things): the first that matches the whole message wins.
_TABLE: tuple[tuple[str, str, bool], ...] = (
    (rf"who (?:maintains|runs|owns|is behind|manages|wrote|do i ask about|can i ask about) {_TOOL}",
     "maintainers", False),
    (rf"(?:maintainers?|owners?) (?:of|for) {_TOOL}", "maintainers", False),
    (rf"{_ASK}restart {_TOOL}(?: (?P<rest>web|all|[a-z0-9.-]+))?", "restart", True),
    (rf"{_ASK}(?:show|get|give me) (?:me )?(?:the )?logs? (?:of|for) {_TOOL}", "logs", False),
    (rf"(?:why|how come) (?:is|was|does|did|are) {_TOOL} (?:so |still |keep |keeps )?"
     rf"(?:{_DOWN}|restarting|crash(?:ing)?|giving (?:a |an )?\d{{3}}|returning (?:a |an )?\d{{3}}"
     r"|not (?:work|start|run|load)(?:ing)?)", "diagnose", False),
    (rf"(?:is|are) {_TOOL} (?:{_DOWN}|up|ok|okay|alive|working|running)", "diagnose", False),
    (rf"what(?:'s| is) (?:wrong|up|going on|happening) with {_TOOL}", "diagnose", False),
    (rf"what happened to {_TOOL}", "diagnose", False),
    (rf"{_TOOL} (?:is |seems |looks )?(?:{_DOWN})", "diagnose", False),
    (rf"{_TOOL} (?:keeps|kept) (?:restarting|crashing|dying|failing)", "diagnose", False),
    (rf"{_TOOL} (?:was|got|gets) (?:killed|oom ?killed|restarted)", "diagnose", False),
    (rf"{_TOOL}(?: gives| returns| shows| is giving| is returning)? (?:a |an )?"
     r"(?:50[234]|500|bad gateway|gateway time-?out|service unavailable|no webservice)(?: error)?",
     "diagnose", False),
    (rf"(?:50[234]|bad gateway|no webservice) (?:on|for|from|at) {_TOOL}", "diagnose", False),
    (rf"{_ASK}(?:diagnose|check|debug|look at|investigate) {_TOOL}", "diagnose", False),
)  # fmt: skip
_COMPILED = tuple((re.compile(p, re.IGNORECASE), c, a) for p, c, a in _TABLE)
# Questions about Toolforge itself, not one tool: read as ``news``.
_NEWS = re.compile(
    rf"(?:is (?:it )?(?:me|my tool) or (?:is it )?toolforge|(?:is|are) (?:toolforge|tools) "
    rf"(?:{_DOWN}|having (?:problems|issues|trouble)|ok|okay|up)|(?:any )?toolforge "
    r"(?:outages?|incidents?|problems|issues|maintenance|news)|what(?:'s| is) (?:wrong|up|going on)"
    r" with toolforge|(?:is there|any) (?:an? )?(?:outage|incident|maintenance)(?: on toolforge)?)",
    re.IGNORECASE,
)
_FILLER = re.compile(r"^(?:hi|hello|hey|so|um|ok|okay)[,!.]?\s+", re.IGNORECASE)
_MY = re.compile(r"^my (?:tool|bot|web ?service)$", re.IGNORECASE)
_SAYS_MY = re.compile(r"\bmy (?:tool|bot|web ?service)\b", re.IGNORECASE)


def says_my_tool(text: str) -> bool:
    """"restart my tool": a command's name, but no tool's; phrasing reads it."""
    return bool(_SAYS_MY.search(text))


@dataclass(frozen=True, slots=True)
class Reading:
    """What a plain-words message means: a command, its tool (None: "my tool")."""

    command: str
    tool: str | None
    changes_things: bool
    target: str = ""

    def line(self, tool: str) -> str:
        return " ".join(w for w in (self.command, tool, self.target) if w)


def read(text: str) -> Reading | None:
    """The command a plain-words message means, or None when it is not one of ours."""
    cleaned = _FILLER.sub("", " ".join(text.split())).strip(" ?!.")
    if _NEWS.fullmatch(cleaned):
        return Reading("news", "", False)
    for pattern, command, acts in _COMPILED:
        found = pattern.fullmatch(cleaned)
        if found:
            groups = found.groupdict()
            tool = _tool_name(groups["tool"])
            if tool == "":
                continue  # a word that cannot be a tool ("why is it ...")
            return Reading(command, tool, acts, (groups.get("rest") or "").lower())
    return None


_NOT_TOOLS = {"it", "this", "that", "the", "a", "my", "everything", "toolforge", "there",
              "something", "anything", "he", "she", "they", "you", "i", "we"}  # fmt: skip


def _tool_name(slot: str) -> str | None:
    """``mytool`` from ``mytool``, ``https://mytool.toolforge.org/x``, ``mytool.toolforge.org``;
    None for "my tool"; "" for a word that is not a tool."""
    if _MY.fullmatch(slot):
        return None
    name = re.sub(r"^https?://", "", slot).split("/", 1)[0]
    name = name.removesuffix(".toolforge.org").strip(".,;:'\"`").lower()
    if name in _NOT_TOOLS or not name:
        return ""
    return name


@dataclass(frozen=True, slots=True)
class Understood:
    """A message read as a command: run ``line`` (and say ``note`` first), or answer
    ``reply`` instead (an action to type, or "which tool?")."""

    line: str = ""
    note: str = ""
    reply: Reply | None = None


async def understand(
    text: str, sender: ChatIdentity, services: Services, prefix: str
) -> Understood | None:
    """What ``text`` means as a command for this speaker; None when it is not understood."""
    reading = read(text)
    if reading is None:
        return None
    tool = reading.tool
    if tool is None:
        account = (await resolve_identity(sender, services)).account
        tools = await services.directory.tools_of(account) if account else []
        if len(tools) != 1:
            among = f" (yours: {', '.join(tools)})" if tools else ""
            typed = f"{prefix}{reading.line('<tool>')}"
            return Understood(reply=Reply.text(
                f"Which tool{among}? Say {typed} with the tool's name."))  # fmt: skip
        tool = tools[0]
    line = reading.line(tool)
    if reading.changes_things:
        sentence = (f"I read this as '{line}'. That changes something, so I do not do it on a "
                    f"guess: type {prefix}{line} and I will ask you to confirm.")  # fmt: skip
        return Understood(reply=Reply((Text.of(sentence),), summary=sentence))
    return Understood(line=line, note=f"I read this as '{line}'.")


def annotated(reply: Reply, note: str) -> Reply:
    """``reply`` with ``note`` ("I read this as ...") as its first line."""
    return replace(reply, parts=(Text.of(note), *reply.parts))
