"""Self-service identity links: a one-time URL, a login with the developer account, a link.

1. ``link`` in a direct conversation: :meth:`LinkDesk.issue` stores a link
   request bound to that chat identity and answers with a URL that works
   once, for ``ttl_seconds`` (only a digest of its token is stored).
2. The page at that URL says which chat identity will be linked; its button
   (a POST, so that link previews cannot spend it) starts the login:
   :meth:`LinkDesk.begin` spends the URL and sends the browser to the
   provider with state, nonce and PKCE.
3. The provider sends the browser back: :meth:`LinkDesk.complete` takes the
   request by its state (once), checks the login and the account in the
   directory, links, audits, and confirms in chat through the running adapter
   of that platform. Whatever fails is a sentence on the page and an audit row,
   and nothing is linked.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.config import LinkSettings
from bot.directory import Account, AccountAttribute
from bot.errors import DirectoryUnavailable, ForgebotError
from bot.message import ChatIdentity
from bot.reply import Reply, Strong, Text
from bot.services import Services
from bot.store import LinkConflict, LinkRequest

if TYPE_CHECKING:
    # httpx, authlib and joserfc: loaded when linking is served, not for direct_destination
    from bot.oidc import OidcClient

log = logging.getLogger(__name__)

Deliver = Callable[[str, str, Reply], Awaitable[None]]
CALLBACK_PATH = "/link/callback"
AUDIT_ACTION = "link.login"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def direct_destination(sender: ChatIdentity) -> str:
    """Where the platform's ``send`` reaches this person directly.

    IRC delivers to a nick (an account cannot be messaged); Zulip and Slack
    take the user's own id.
    """
    if sender.platform == "irc":
        return sender.display
    return f"{sender.platform}:{sender.user_id}"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the person sees in the browser at the end of a login."""

    ok: bool
    title: str
    sentence: str


class LinkDesk:
    """Issues link URLs and completes the logins they start."""

    def __init__(
        self, services: Services, settings: LinkSettings, public_url: str, deliver: Deliver
    ) -> None:
        self.services = services
        self.settings = settings
        self.deliver = deliver
        self.public_url = public_url.rstrip("/")
        from bot.oidc import OidcClient

        self.oidc: OidcClient = OidcClient(settings, self.callback_url)

    @property
    def callback_url(self) -> str:
        return f"{self.public_url}{CALLBACK_PATH}"

    def set_public_url(self, url: str) -> None:
        """Where people reach the HTTP server, once it listens (its port may be chosen then)."""
        self.public_url = url.rstrip("/")
        self.oidc.redirect_uri = self.callback_url

    async def aclose(self) -> None:
        await self.oidc.aclose()

    # --- 1. the URL -----------------------------------------------------------

    async def issue(self, sender: ChatIdentity, expected: str | None) -> str:
        """A fresh one-time link URL for ``sender`` (an earlier one stops working)."""
        token = secrets.token_urlsafe(32)
        now = self.services.clock()
        request = LinkRequest(
            token_digest=digest(token),
            chat_key=sender.key(),
            destination=direct_destination(sender),
            expected_account=expected,
            created_at=now,
            expires_at=now + timedelta(seconds=self.settings.ttl_seconds),
        )
        await self.services.store.link_request_create(request, now=now)
        return f"{self.public_url}/link/{token}"

    # --- 2. the page and the start of the login --------------------------------

    async def pending(self, token: str) -> LinkRequest | None:
        return await self.services.store.link_request_peek(digest(token), now=self.services.clock())

    async def begin(self, token: str) -> str:
        """Spend the URL; where to send the browser to log in.

        The provider is asked first: when it is down the URL is not spent and
        the person can try again. Raises :class:`LinkSpent` for a URL that was
        used or expired, :class:`bot.oidc.OidcError` when the provider fails.
        """
        state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
        target = await self.oidc.authorization_url(state, nonce, verifier)
        request = await self.services.store.link_request_start(
            digest(token),
            state_digest=digest(state),
            nonce=nonce,
            code_verifier=verifier,
            now=self.services.clock(),
        )
        if request is None:
            raise LinkSpent(
                "this link was already used or has expired; ask me for a new one "
                "(say link in a direct message)"
            )
        return target

    # --- 3. back from the provider ----------------------------------------------

    async def complete(self, query: Mapping[str, str]) -> Outcome:
        state = query.get("state", "")
        request = await self.services.store.link_request_finish(digest(state)) if state else None
        if request is None:
            await self._audit(None, None, "invalid", "a login came back with no pending link")
            return _failed(
                "there is no pending link for this login: it was already completed, "
                "replaced by a newer one, or never asked for; nothing was linked"
            )
        if request.expires_at <= self.services.clock():
            await self._audit(request, None, "stale", "the link had expired")
            return _failed("this link expired before the login ended; ask me for a new one")
        if query.get("error"):
            await self._audit(request, None, "refused", f"provider said {query['error']}")
            return _failed("the login was cancelled at the provider; nothing was linked")
        try:
            account = await self._account(request, query.get("code", ""))
            link = await self.services.store.link_add(
                request.chat_key,
                account.name,
                created_by=account.name,
                method="login",
                replace=request.expected_account is not None,
            )
        except LinkConflict as conflict:
            sentence = (
                f"{request.chat_key} was linked to {conflict.account} in the meantime; "
                "unlink it first, then link again"
            )
            await self._audit(request, None, "refused", sentence)
            return _failed(sentence)
        except _Refused as refused:
            await self._audit(request, refused.account, "refused", refused.sentence)
            return _failed(refused.sentence)
        except ForgebotError as error:  # the provider or the directory failed
            await self._audit(request, None, "failed", error.sentence)
            return _failed(error.sentence)
        await self._audit(request, link.account, "ok", f"linked to {link.account} by login")
        await self._confirm_in_chat(request, link.account)
        return Outcome(
            True,
            "Linked",
            f"Your chat identity {request.chat_key} is now linked to the developer account "
            f"{link.account}. You can close this page and go back to the chat.",
        )

    async def _account(self, request: LinkRequest, code: str) -> Account:
        """The enabled developer account the login proves, as the request expects it."""
        if not code:
            raise ForgebotError("the login came back without a code; nothing was linked")
        claims = await self.oidc.claims(code, request.nonce, request.code_verifier)
        claimed = claims.get(self.settings.account_claim)
        if not isinstance(claimed, str) or not claimed:
            raise ForgebotError(
                f"the login did not say which developer account it was "
                f"(no {self.settings.account_claim!r} claim); nothing was linked"
            )
        by: AccountAttribute = "cn" if self.settings.account_attribute == "cn" else "uid"
        try:
            account = await self.services.directory.account(claimed, by=by)
        except DirectoryUnavailable as error:
            raise ForgebotError(
                error.sentence.replace("check maintainers", "check your account")
            ) from None
        if account is None:
            raise _Refused(f"the developer account {claimed} is not in the directory", None)
        if account.disabled:
            raise _Refused(f"the developer account {account.name} is disabled", account.name)
        expected = request.expected_account
        if expected is not None and account.name != expected:
            raise _Refused(
                f"you logged in as {account.name}, but the link was asked for {expected}; "
                "nothing was linked",
                account.name,
            )
        return account

    async def _confirm_in_chat(self, request: LinkRequest, account: str) -> None:
        platform = request.chat_key.partition(":")[0]
        reply = Reply(
            (
                Text.of(
                    f"Your {platform} identity is now linked to the developer account ",
                    Strong(account),
                    ", by your own login.",
                ),
                Text.of("If this was not you, say unlink to me now."),
            ),
            summary=f"linked to {account}",
        )
        try:
            await self.deliver(platform, request.destination, reply)
        except Exception as error:  # the link stands; only the chat note is lost
            where = f"{platform} {request.destination}"
            log.warning("link: could not confirm the link in %s: %r", where, error)

    async def _audit(
        self, request: LinkRequest | None, account: str | None, result: str, detail: str
    ) -> None:
        chat_key = request.chat_key if request is not None else "http:?"
        await self.services.store.audit(
            actor_account=account,
            chat_key=chat_key,
            platform=chat_key.partition(":")[0],
            action=AUDIT_ACTION,
            tool="",
            target=chat_key if request is not None else "",
            result=result,
            detail=detail[:1000],
        )


class LinkSpent(ForgebotError):
    """A link URL that was already used, replaced or has expired."""


class _Refused(ForgebotError):
    """The login worked but does not allow this link."""

    def __init__(self, sentence: str, account: str | None) -> None:
        super().__init__(sentence)
        self.account = account


def _failed(sentence: str) -> Outcome:
    return Outcome(False, "Nothing was linked", sentence[0].upper() + sentence[1:] + ".")
