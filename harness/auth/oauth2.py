"""OAuth 2.0 client credentials (RFC 6749 section 4.4) with caching, refresh and single flight.

A token is reused until ``expires_in - refresh_leeway_s`` after it was requested, then
renewed before it expires: with the refresh-token grant (section 6) when the server issued a
refresh token, falling back to client credentials when the refresh is refused. However many
threads need a token at once, one token request is made (a lock, checked twice). A 401 from
the API drops the token, so the next request fetches a fresh one.
"""

from __future__ import annotations

import base64
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import quote_plus

import httpx

from harness.auth.provider import AuthError, require_secret
from harness.contract.model import Secret
from harness.errors import TransportError, UsageError

# How many issued tokens to remember for scrubbing; older ones expired long ago.
_REMEMBERED_TOKENS = 64
_HINTS = {
    "invalid_client": "check the client id {client_id!r} and the client secret ({secret})",
    "invalid_scope": "the contract asks for scopes {scopes}; check which the client may request",
    "unauthorized_client": "this client may not use the client_credentials grant",
    "unsupported_grant_type": "the server does not accept this grant type at {url}",
    "invalid_grant": "the refresh token expired or was revoked",
}


class ClientAuthMethod(StrEnum):
    """How the client authenticates to the token endpoint (RFC 6749 section 2.3.1)."""

    CLIENT_SECRET_POST = "client_secret_post"  # noqa: S105 - a method's name, not a secret
    CLIENT_SECRET_BASIC = "client_secret_basic"  # noqa: S105


@dataclass(frozen=True, slots=True)
class _Token:
    access_token: str
    renew_at: float  # clock time from which the token is renewed (expiry minus leeway)
    refresh_token: str | None


class OAuth2ClientCredentials:
    """Bearer tokens from a token endpoint, cached and renewed; ``token_requests`` counts them."""

    def __init__(
        self,
        *,
        token_url: str,
        client_id: str | None,
        client_secret: Secret | None,
        token_client: httpx.Client,
        scopes: tuple[str, ...] = (),
        audience: str | None = None,
        refresh_leeway_s: float = 60,
        default_lifetime_s: float = 3600,
        auth_method: ClientAuthMethod = ClientAuthMethod.CLIENT_SECRET_POST,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not httpx.URL(token_url).is_absolute_url and not str(token_client.base_url):
            raise UsageError(
                f"token_url {token_url!r} is relative but the token client has no base_url; "
                "give the client the API's base URL or make token_url absolute"
            )
        self.token_url = token_url
        self.client_id = client_id
        self.scopes = scopes
        self.audience = audience
        self.refresh_leeway_s = refresh_leeway_s
        self.default_lifetime_s = default_lifetime_s
        self.auth_method = ClientAuthMethod(auth_method)
        self.token_requests = 0
        self._secret = client_secret
        self._client = token_client
        self._clock = clock
        self._lock = threading.Lock()
        self._token: _Token | None = None
        self._issued: deque[str] = deque(maxlen=_REMEMBERED_TOKENS)
        self._generation = 0  # bumped as each token request ends, to share a failure
        self._failure: AuthError | None = None

    def __repr__(self) -> str:
        return (
            f"OAuth2ClientCredentials(token_url={self.token_url!r}, client_id={self.client_id!r}, "
            f"token_requests={self.token_requests})"
        )

    # --- AuthProvider ---------------------------------------------------------------------

    def apply(self, request: httpx.Request) -> None:
        request.headers["Authorization"] = f"Bearer {self.access_token()}"

    def on_unauthorized(self, request: httpx.Request | None = None) -> bool:
        """Drop the token the server refused; True: a request with a new one may succeed."""
        with self._lock:
            current = self._token
            sent = request.headers.get("Authorization") if request is not None else None
            if current is not None and sent in (None, f"Bearer {current.access_token}"):
                # A refused token usually means revoked credentials, refresh token included.
                self._token = None
        return True

    def secret_values(self) -> frozenset[str]:
        held = {self._secret.value} if self._secret is not None and self._secret.value else set()
        return frozenset(held | set(self._issued))

    # --- Tokens ---------------------------------------------------------------------------

    def access_token(self) -> str:
        """A valid access token: the cached one, or a new one from the token endpoint."""
        token = self._token
        if token is not None and self._clock() < token.renew_at:
            return token.access_token
        seen = self._generation
        with self._lock:
            if self._generation != seen and self._failure is not None:
                failure = self._failure  # another thread just failed: do not ask again
                raise AuthError(
                    str(failure),
                    error=failure.error,
                    error_description=failure.error_description,
                    status=failure.status,
                )
            token = self._token
            if token is None or self._clock() >= token.renew_at:
                token = self._renew(token)
            return token.access_token

    def invalidate(self) -> None:
        """Forget the token and the refresh token: the next request fetches a new one."""
        with self._lock:
            self._token = None

    def _renew(self, current: _Token | None) -> _Token:
        # The generation moves when the request ends, so every thread that was waiting on
        # the lock meanwhile sees it moved and shares the outcome.
        try:
            token = self._obtain(current)
        except AuthError as exc:
            self._failure = exc
            raise
        except BaseException:  # unreachable, or a bug: nothing to share with waiting threads
            self._failure = None
            raise
        finally:
            self._generation += 1
        self._failure = None
        self._token = token
        return token

    def _obtain(self, current: _Token | None) -> _Token:
        if current is not None and current.refresh_token:
            form = {"grant_type": "refresh_token", "refresh_token": current.refresh_token}
            try:
                return self._request(form, previous_refresh=current.refresh_token)
            except AuthError:
                pass  # RFC 6749 section 5.2 invalid_grant: client credentials still work
        form = {"grant_type": "client_credentials"}
        if self.scopes:
            form["scope"] = " ".join(self.scopes)
        if self.audience:
            form["audience"] = self.audience
        return self._request(form, previous_refresh=None)

    def _request(self, form: dict[str, str], *, previous_refresh: str | None) -> _Token:
        form, headers = self._authenticate(form)
        requested_at = self._clock()
        self.token_requests += 1
        try:
            response = self._client.post(self.token_url, data=form, headers=headers)
        except httpx.HTTPError as exc:
            raise TransportError(
                f"token request POST {self.token_url} failed: {type(exc).__name__}: {exc} "
                "(target unreachable? check the base URL and that the server is up)"
            ) from exc
        if response.status_code != 200:
            raise self._refused(response, form["grant_type"])
        return self._parse(response, requested_at, previous_refresh)

    def _authenticate(self, form: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
        auth_type = "oauth2-client-credentials"
        if not self.client_id:
            raise UsageError(f"auth type '{auth_type}' needs a client id: add auth.client_id")
        secret = require_secret(self._secret, what="client_secret", auth_type=auth_type)
        headers = {"Accept": "application/json"}
        if self.auth_method is ClientAuthMethod.CLIENT_SECRET_BASIC:
            # Section 2.3.1: both parts are form-encoded before they are joined.
            pair = f"{quote_plus(self.client_id)}:{quote_plus(secret)}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
            return form, headers
        return {**form, "client_id": self.client_id, "client_secret": secret}, headers

    def _parse(
        self, response: httpx.Response, requested_at: float, previous_refresh: str | None
    ) -> _Token:
        data = _json_object(response)
        access = data.get("access_token") if data is not None else None
        if not isinstance(access, str) or not access:
            raise AuthError(
                f"token endpoint {response.request.url} answered 200 without an access_token "
                "string in a JSON object (RFC 6749 section 5.1)",
                status=response.status_code,
            )
        assert data is not None
        token_type = data.get("token_type", "Bearer")
        if not isinstance(token_type, str) or token_type.lower() != "bearer":
            raise AuthError(
                f"token endpoint issued a {token_type!r} token; harness sends Bearer tokens",
                status=response.status_code,
            )
        lifetime = _seconds(data.get("expires_in")) or self.default_lifetime_s
        # A leeway as long as the token's life would renew it on every request.
        leeway = min(self.refresh_leeway_s, lifetime / 2)
        refresh = data.get("refresh_token")
        refresh = refresh if isinstance(refresh, str) and refresh else previous_refresh
        self._issued.extend(t for t in (access, refresh) if t)
        return _Token(access, requested_at + lifetime - leeway, refresh)

    def _refused(self, response: httpx.Response, grant_type: str) -> AuthError:
        data = _json_object(response) or {}
        error = data.get("error") if isinstance(data.get("error"), str) else None
        description = data.get("error_description")
        description = self._scrub(description) if isinstance(description, str) else None
        detail = (
            error or f"no RFC 6749 error body; body starts {self._scrub(response.text[:200])!r}"
        )
        message = (
            f"token request ({grant_type}) to POST {response.request.url} was refused: "
            f"{response.status_code} {detail}"
        )
        if description:
            message += f": {description}"
        hint = _HINTS.get(error or "")
        if hint:
            secret = str(self._secret) if self._secret is not None else "auth.client_secret"
            message += " — " + hint.format(
                client_id=self.client_id,
                secret=secret,
                scopes=list(self.scopes),
                url=self.token_url,
            )
        return AuthError(
            message, error=error, error_description=description, status=response.status_code
        )

    def _scrub(self, text: str) -> str:
        """A server may echo what it was sent; never let a secret into a message."""
        for value in sorted(self.secret_values(), key=len, reverse=True):
            text = text.replace(value, "[redacted]")
        return text


def _json_object(response: httpx.Response) -> Mapping[str, Any] | None:
    try:
        data = response.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _seconds(value: object) -> float | None:
    """``expires_in`` as positive seconds; some servers send it as a string."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | str):
        try:
            number = float(value)
        except (ValueError, OverflowError):
            return None
        return number if math.isfinite(number) and number > 0 else None
    return None
