"""From a contract's ``auth`` section and the credentials at hand to an ``AuthProvider``."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from harness.auth.credentials import Credentials
from harness.auth.jwt_bearer import Jwt
from harness.auth.oauth2 import OAuth2ClientCredentials
from harness.auth.provider import ApiKey, AuthProvider, Basic, Bearer, KeyLocation, NoAuth
from harness.contract.model import Auth, AuthType, Secret
from harness.errors import UsageError

_UNSET = Secret(None, None)


def auth_for(
    contract_auth: Auth | None,
    credentials: Credentials,
    *,
    token_client: httpx.Client | None = None,
    clock: Callable[[], float] | None = None,
) -> AuthProvider:
    """The provider for the contract's auth type, holding ``credentials``.

    ``token_client`` sends OAuth token requests (a relative ``token_url`` is resolved against
    its base URL); ``clock`` replaces ``time.monotonic`` (OAuth) or ``time.time`` (JWT) in
    tests. Missing secrets are reported when a request first needs them, naming the variable.
    """
    if contract_auth is None or contract_auth.type is AuthType.NONE:
        return NoAuth()
    kind = AuthType(contract_auth.type)
    if kind is AuthType.OAUTH2_CLIENT_CREDENTIALS:
        return _oauth2(contract_auth, credentials, token_client, clock or time.monotonic)
    if kind is AuthType.API_KEY:
        return ApiKey(
            key=credentials.api_key or contract_auth.key or _UNSET,
            name=contract_auth.header or "X-API-Key",
            location=KeyLocation(contract_auth.in_),
        )
    if kind is AuthType.BASIC:
        return Basic(
            username=credentials.username or contract_auth.username or "",
            password=credentials.password or contract_auth.password or _UNSET,
        )
    if kind is AuthType.BEARER:
        return Bearer(token=credentials.token or contract_auth.token or _UNSET)
    return _jwt(contract_auth, credentials, clock or time.time)


def _oauth2(
    auth: Auth,
    credentials: Credentials,
    token_client: httpx.Client | None,
    clock: Callable[[], float],
) -> OAuth2ClientCredentials:
    if token_client is None:
        raise UsageError("auth type 'oauth2-client-credentials' needs a token_client to send to")
    if not auth.token_url:
        raise UsageError(f"{auth.loc}: auth type 'oauth2-client-credentials' needs token_url")
    return OAuth2ClientCredentials(
        token_url=auth.token_url,
        client_id=credentials.client_id or auth.client_id,
        client_secret=credentials.client_secret or auth.client_secret,
        token_client=token_client,
        scopes=auth.scopes,
        audience=auth.audience,
        refresh_leeway_s=auth.refresh_leeway_s,
        default_lifetime_s=auth.token_lifetime_s,
        clock=clock,
    )


def _jwt(auth: Auth, credentials: Credentials, clock: Callable[[], float]) -> Jwt:
    settings = auth.jwt
    if settings is None:
        raise UsageError(f"{auth.loc}: auth type 'jwt' needs a jwt section (algorithm, secret)")
    return Jwt(
        secret=credentials.jwt_secret or settings.secret,
        algorithm=settings.algorithm,
        issuer=settings.issuer,
        audience=settings.audience,
        subject=settings.subject,
        lifetime_s=settings.lifetime_s,
        clock=clock,
    )
