"""Errors a user can read.

Every error here carries a sentence meant for the person in the chat; the
core turns any of them into an error reply. Anything else that escapes a
handler is a bug and becomes "something went wrong (ref ...)".
"""

from __future__ import annotations


class ForgebotError(Exception):
    """Base class: ``str(error)`` is a complete sentence for the user."""

    def __init__(self, sentence: str) -> None:
        super().__init__(sentence)
        self.sentence = sentence

    def __str__(self) -> str:
        return self.sentence


class UsageError(ForgebotError):
    """The invocation does not match the command's declared arguments."""


class PermissionDenied(ForgebotError):
    """The speaker may not do this (not a maintainer, not identified, not admin)."""


class UnknownTool(ForgebotError):
    """No such Toolforge tool."""


class DirectoryUnavailable(ForgebotError):
    """The maintainer directory (LDAP) could not be asked, and nothing fresh is cached.

    Never taken as "no such tool" or "not a maintainer": the action is not done,
    and the sentence says so.
    """


class ToolforgeError(ForgebotError):
    """A Toolforge API call failed; the sentence says what was (not) done."""


class ToolforgeNotFound(ToolforgeError):
    pass


class ToolforgeForbidden(ToolforgeError):
    pass


class ToolforgeUnavailable(ToolforgeError):
    """5xx, connection refused, gateway down."""


class ToolforgeTimeout(ToolforgeError):
    pass


class ToolforgeOutcomeUnknown(ToolforgeError):
    """A request that changes something reached Toolforge, and no answer says whether it acted
    (a timeout, a 5xx): neither "done" nor "nothing was done" is true."""


class ToolforgeInvalid(ToolforgeError):
    """400/409/422: the API refused the request as given."""


class SecretsUnreadable(ForgebotError):
    """What to hide in logs could not be read, so the logs were not shown."""


class GitLabError(ForgebotError):
    pass
