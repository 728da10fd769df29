"""The seam between a client and its credentials: ``AuthProvider``, and the static schemes.

A provider puts credentials on a request (``apply``) and is told when the server refused
them (``on_unauthorized``), so that a provider whose credentials can be renewed (an OAuth
token, a signed JWT) renews them and a static one (an API key) says a retry is pointless.
Providers hold ``Secret`` values and reveal them only into the request itself, so no
``repr`` of a provider shows one.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

import httpx

from harness.contract.model import Secret
from harness.errors import HarnessError, UsageError


class AuthProvider(Protocol):
    """Puts credentials on requests; renews them when the server says they are no good."""

    def apply(self, request: httpx.Request) -> None:
        """Add the credentials to ``request`` (headers or query), replacing any already set."""
        ...

    def on_unauthorized(self, request: httpx.Request | None = None) -> bool:
        """The server answered 401 to ``request``: drop its credentials; True if a retry helps."""
        ...

    def secret_values(self) -> frozenset[str]:
        """Every secret this provider holds or was issued, for scrubbing (never for printing)."""
        ...


class AuthError(HarnessError):
    """Credentials were refused or could not be obtained (a token endpoint said no).

    ``error`` and ``error_description`` are the RFC 6749 section 5.2 fields when the server
    sent them. The message never holds a secret: the caller scrubs the server's text.
    """

    def __init__(
        self,
        message: str,
        *,
        error: str | None = None,
        error_description: str | None = None,
        status: int | None = None,
    ) -> None:
        self.error = error
        self.error_description = error_description
        self.status = status
        super().__init__(message)


def require_secret(secret: Secret | None, *, what: str, auth_type: str) -> str:
    """The value of ``secret``, or a ``UsageError`` that names the variable to set."""
    if secret is not None and secret.is_set:
        return secret.reveal()
    if secret is not None and secret.var:
        where = f"set the environment variable {secret.var}"
    else:
        where = f"add auth.{what} to the contract (as a ${{VAR}})"
    raise UsageError(f"auth type '{auth_type}' needs {what.replace('_', ' ')}: {where}")


def _held(*secrets: Secret | None) -> frozenset[str]:
    return frozenset(s.value for s in secrets if s is not None and s.value)


@dataclass(frozen=True, slots=True)
class NoAuth:
    """Sends requests as they are (public operations, negative probes)."""

    def apply(self, request: httpx.Request) -> None:
        return None

    def on_unauthorized(self, request: httpx.Request | None = None) -> bool:
        return False

    def secret_values(self) -> frozenset[str]:
        return frozenset()


class KeyLocation(StrEnum):
    """Where an API key goes."""

    HEADER = "header"
    QUERY = "query"


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiKey:
    """An API key in a header (``X-API-Key: <key>``) or a query parameter (``?api_key=<key>``)."""

    key: Secret
    name: str = "X-API-Key"
    location: KeyLocation = KeyLocation.HEADER

    def apply(self, request: httpx.Request) -> None:
        value = require_secret(self.key, what="key", auth_type="api-key")
        if KeyLocation(self.location) is KeyLocation.QUERY:
            request.url = request.url.copy_set_param(self.name, value)
        else:
            request.headers[self.name] = value

    def on_unauthorized(self, request: httpx.Request | None = None) -> bool:
        return False  # the same key will be refused again

    def secret_values(self) -> frozenset[str]:
        return _held(self.key)


@dataclass(frozen=True, slots=True, kw_only=True)
class Basic:
    """HTTP Basic (RFC 7617): ``Authorization: Basic base64(user:password)``."""

    username: str
    password: Secret

    def apply(self, request: httpx.Request) -> None:
        password = require_secret(self.password, what="password", auth_type="basic")
        request.headers["Authorization"] = "Basic " + self._encoded(password)

    def on_unauthorized(self, request: httpx.Request | None = None) -> bool:
        return False

    def secret_values(self) -> frozenset[str]:
        if not self.password.value:
            return frozenset()
        # The encoded pair is a credential too, should a server echo the header back.
        return frozenset({self.password.value, self._encoded(self.password.value)})

    def _encoded(self, password: str) -> str:
        return base64.b64encode(f"{self.username}:{password}".encode()).decode("ascii")


@dataclass(frozen=True, slots=True, kw_only=True)
class Bearer:
    """A fixed bearer token (RFC 6750): ``Authorization: Bearer <token>``."""

    token: Secret

    def apply(self, request: httpx.Request) -> None:
        token = require_secret(self.token, what="token", auth_type="bearer")
        request.headers["Authorization"] = f"Bearer {token}"

    def on_unauthorized(self, request: httpx.Request | None = None) -> bool:
        return False

    def secret_values(self) -> frozenset[str]:
        return _held(self.token)
