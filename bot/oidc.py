"""OpenID Connect login with a developer account: the relying party's half.

authlib builds the authorization request (PKCE S256); joserfc (authlib's own
JOSE library, which authlib now asks callers to use) checks the ID token:
signature against the provider's keys, issuer, audience, expiry and nonce.
The HTTP calls go through httpx with a timeout. Every failure is an
:class:`OidcError` whose sentence says what went wrong and that nothing was
linked.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from bot.config import LinkSettings
from bot.errors import ForgebotError

# Provider metadata and keys are read again after this long (keys rotate).
METADATA_SECONDS = 3600.0
# ID tokens are signed with the provider's private key; never a shared secret ("HS256").
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")


class OidcError(ForgebotError):
    """The login could not be completed or checked."""


class OidcClient:
    def __init__(self, settings: LinkSettings, redirect_uri: str) -> None:
        self.settings = settings
        self.redirect_uri = redirect_uri
        self._metadata: dict[str, Any] | None = None
        self._keys: Any = None
        self._read_at = 0.0
        self._http = httpx.AsyncClient(timeout=settings.timeout, follow_redirects=False)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def authorization_url(self, state: str, nonce: str, code_verifier: str) -> str:
        """Where to send the browser to log in."""
        metadata = await self._provider()
        return str(
            prepare_grant_uri(
                metadata["authorization_endpoint"],
                self.settings.client_id,
                "code",
                redirect_uri=self.redirect_uri,
                scope=" ".join(self.settings.scopes),
                state=state,
                nonce=nonce,
                code_challenge=create_s256_code_challenge(code_verifier),
                code_challenge_method="S256",
            )
        )

    async def claims(self, code: str, nonce: str, code_verifier: str) -> dict[str, Any]:
        """The verified claims of the login that ``code`` stands for."""
        metadata = await self._provider()
        token = await self._token(metadata["token_endpoint"], code, code_verifier)
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise OidcError("the login provider sent no ID token; nothing was linked")
        registry = jwt.JWTClaimsRegistry(
            leeway=60,
            iss={"essential": True, "value": metadata["issuer"]},
            aud={"essential": True, "value": self.settings.client_id},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},  # this login's, not a replayed one
        )
        try:
            decoded = jwt.decode(id_token, self._keys, algorithms=list(ALGORITHMS))
            registry.validate(decoded.claims)
        except (JoseError, ValueError) as error:
            raise OidcError(
                f"the login could not be verified ({_short(error)}); nothing was linked"
            ) from None
        found = dict(decoded.claims)
        if self.settings.account_claim not in found and metadata.get("userinfo_endpoint"):
            found.update(await self._userinfo(metadata["userinfo_endpoint"], token, found))
        return found

    async def _provider(self) -> dict[str, Any]:
        if self._metadata is not None and time.monotonic() - self._read_at < METADATA_SECONDS:
            return self._metadata
        metadata = await self._get_json(self.settings.discovery_url, "its discovery document")
        for key in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(metadata.get(key), str):
                raise OidcError(f"the login provider's discovery document has no {key}")
        jwks = await self._get_json(metadata["jwks_uri"], "its signing keys")
        try:
            self._keys = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
        except (JoseError, ValueError, TypeError, KeyError) as error:
            raise OidcError(f"the login provider's signing keys are unusable ({error})") from None
        self._metadata, self._read_at = metadata, time.monotonic()
        return metadata

    async def _token(self, url: str, code: str, code_verifier: str) -> dict[str, Any]:
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "code_verifier": code_verifier,
            "client_id": self.settings.client_id,
        }
        auth = (self.settings.client_id, self.settings.client_secret)
        try:
            response = await self._http.post(url, data=data, auth=auth)
        except httpx.HTTPError as error:
            raise _unreachable(error) from None
        if response.status_code != 200:
            raise OidcError(
                f"the login provider refused the login ({_error_of(response)}); nothing was linked"
            )
        return _json_object(response)

    async def _userinfo(
        self, url: str, token: dict[str, Any], claims: dict[str, Any]
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token.get('access_token', '')}"}
        try:
            response = await self._http.get(url, headers=headers)
        except httpx.HTTPError as error:
            raise _unreachable(error) from None
        info = _json_object(response) if response.status_code == 200 else {}
        # The user info must be about the person the ID token names.
        return info if info.get("sub") == claims.get("sub") else {}

    async def _get_json(self, url: str, what: str) -> dict[str, Any]:
        try:
            response = await self._http.get(url)
        except httpx.HTTPError as error:
            raise _unreachable(error) from None
        if response.status_code != 200:
            raise OidcError(
                f"the login provider did not serve {what} (HTTP {response.status_code}); "
                "nothing was linked, try again later"
            )
        return _json_object(response)


def _unreachable(error: httpx.HTTPError) -> OidcError:
    kind = "did not answer in time" if isinstance(error, httpx.TimeoutException) else (
        "cannot be reached"
    )
    return OidcError(f"the login provider {kind}; nothing was linked, try again later")


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        found = response.json()
    except ValueError:
        found = None
    if not isinstance(found, dict):
        raise OidcError("the login provider answered something that is not JSON")
    return found


def _error_of(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    if isinstance(body, dict) and body.get("error"):
        return str(body["error"])
    return f"HTTP {response.status_code}"


def _short(error: Exception) -> str:
    return str(getattr(error, "description", None) or error)
