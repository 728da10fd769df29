"""A credential the target never issued, put where the contract's scheme puts the real one.

Checks that must see a refusal (``auth::no_bypass``, ``auth::wrong_credentials_rejected``,
an error triggered with ``auth: invalid``, ``security::credentials_not_echoed``) send the
same well-formed but never-issued credential, so that a refusal judges the credential and
not its shape: an API key in the declared header or query parameter, HTTP Basic with a
made-up password, a bearer token, or a JWT whose three parts parse but whose signature no
key made.

The value carries ``-from-harness`` (see ``harness.transports.exchange.HARNESS_MARKERS``):
it is no secret, so reports and curl lines show it as sent.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import httpx

from harness.auth.provider import KeyLocation
from harness.contract.model import Auth, AuthType

#: The default made-up credential (base64url characters only, so it also signs a JWT).
UNISSUED = "never-issued-from-harness"
_JWT_HEAD_AND_CLAIMS = "e30.e30."  # base64url of "{}" twice: parses, means nothing


@dataclass(frozen=True, slots=True, kw_only=True)
class UnissuedCredential:
    """An ``AuthProvider`` (and an httpx ``auth`` callable) sending a never-issued credential."""

    name: str = "Authorization"
    value: str
    location: KeyLocation = KeyLocation.HEADER

    def apply(self, request: httpx.Request) -> None:
        if self.location is KeyLocation.QUERY:
            request.url = request.url.copy_set_param(self.name, self.value)
        else:
            request.headers[self.name] = self.value

    def on_unauthorized(self, request: httpx.Request | None = None) -> bool:
        return False  # refused on purpose: a retry would be refused again

    def secret_values(self) -> frozenset[str]:
        return frozenset()  # made up: nothing to scrub

    def __call__(self, request: httpx.Request) -> httpx.Request:
        """httpx's function-auth form, for a bare ``httpx.Client`` (``auth=credential``)."""
        self.apply(request)
        return request


def unissued_credential(auth: Auth | None, marker: str = UNISSUED) -> UnissuedCredential | None:
    """``marker`` as the contract's kind of credential; None when the contract has no auth.

    ``marker`` should use base64url characters only (letters, digits, ``-``, ``_``).
    """
    if auth is None or auth.type is AuthType.NONE:
        return None
    if auth.type is AuthType.API_KEY:
        location = KeyLocation.QUERY if auth.in_ == "query" else KeyLocation.HEADER
        return UnissuedCredential(name=auth.header or "X-API-Key", value=marker, location=location)
    if auth.type is AuthType.BASIC:
        pair = base64.b64encode(f"harness:{marker}".encode()).decode()
        return UnissuedCredential(value=f"Basic {pair}")
    if auth.type is AuthType.JWT:
        return UnissuedCredential(value=f"Bearer {_JWT_HEAD_AND_CLAIMS}{marker}")
    return UnissuedCredential(value=f"Bearer {marker}")  # bearer, OAuth2 access tokens
