"""Who is calling: the contract's auth scheme checked on every secured operation.

Which operations are secured follows the document (an operation's ``security``, else the
document's); a document that declares no security at all gets the contract's scheme on
every operation except the token endpoint and the health operation. A contract without an
``auth`` section over a document that requires credentials gets the document's first scheme
(as a bearer token for OAuth2 and OpenID Connect), with credentials only the sandbox knows:
such requests are refused, as a real server would refuse them. Failures say why
(missing, invalid, expired, revoked, insufficient scope) and carry the challenge for
``WWW-Authenticate`` (RFC 6750 §3 for bearer tokens, RFC 7617 for basic).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from harness.auth.credentials import Credentials
from harness.contract import Contract
from harness.contract.model import AuthType
from harness.sandbox.clock import SandboxClock
from harness.sandbox.spec import OperationSpec, Spec

_BEARER_TYPES = (AuthType.OAUTH2_CLIENT_CREDENTIALS, AuthType.BEARER, AuthType.JWT)
_HASHES = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}
REFRESH_LIFETIME_S = 30 * 86400


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller; ``client`` keys rate limits."""

    client: str
    scopes: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Denied:
    """Why a request was refused: ``status`` 401 (who?) or 403 (not allowed)."""

    status: int
    reason: str
    challenge: str


@dataclass(slots=True, kw_only=True)
class Token:
    client_id: str
    scopes: frozenset[str]
    expires_at: float
    refresh: bool = False
    revoked: bool = False


@dataclass(slots=True)
class TokenStore:
    """Access and refresh tokens the sandbox issued; thread-safe."""

    clock: SandboxClock
    lifetime_s: int
    _tokens: dict[str, Token] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def issue(self, client_id: str, scopes: frozenset[str], *, refresh: bool) -> dict[str, Any]:
        """A token response body (RFC 6749 §5.1)."""
        now = self.clock.now()
        access = "at_" + secrets.token_urlsafe(24)
        body: dict[str, Any] = {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.lifetime_s,
            "scope": " ".join(sorted(scopes)),
        }
        with self._lock:
            self._tokens[access] = Token(
                client_id=client_id, scopes=scopes, expires_at=now + self.lifetime_s
            )
            if refresh:
                token = "rt_" + secrets.token_urlsafe(24)
                self._tokens[token] = Token(
                    client_id=client_id,
                    scopes=scopes,
                    expires_at=now + REFRESH_LIFETIME_S,
                    refresh=True,
                )
                body["refresh_token"] = token
        return body

    def access(self, value: str) -> Token | None:
        token = self._tokens.get(value)
        return token if token is not None and not token.refresh else None

    def redeem(self, value: str, client_id: str) -> Token | None:
        """Use up a refresh token (rotation): the token, or None if it is not usable."""
        with self._lock:
            token = self._tokens.get(value)
            if token is None or not token.refresh or token.revoked:
                return None
            if token.client_id != client_id or token.expires_at <= self.clock.now():
                return None
            token.revoked = True
            return token

    def revoke_all(self) -> None:
        with self._lock:
            for token in self._tokens.values():
                token.revoked = True

    def clear(self) -> None:
        with self._lock:
            self._tokens.clear()


class Authenticator:
    """Checks the contract's auth scheme on the operations that need it."""

    def __init__(
        self,
        contract: Contract,
        spec: Spec,
        credentials: Credentials,
        tokens: TokenStore,
        *,
        token_operations: frozenset[str],
    ) -> None:
        auth = contract.auth
        self.type = auth.type if auth is not None else document_auth_type(spec)
        self._auth = auth
        self._credentials = credentials
        self._tokens = tokens
        self._realm = contract.id
        self.key_name, self.key_in = _api_key_location(contract, spec)
        schemes = spec.raw.get("components", {}).get("securitySchemes") or {}
        self._schemes = {str(k): v for k, v in schemes.items() if isinstance(v, Mapping)}
        self._document_security = spec.raw.get("security")
        self._oauth_schemes = {
            name for name, s in schemes.items() if isinstance(s, dict) and s.get("type") == "oauth2"
        }
        self._secured = _secured_operations(spec, contract, self.type, token_operations)

    def secured(self, operation_id: str) -> bool:
        return operation_id in self._secured

    def challenge(self, error: str | None = None, description: str | None = None) -> str:
        if self.type is AuthType.BASIC:
            return f'Basic realm="{self._realm}", charset="UTF-8"'
        if self.type is AuthType.API_KEY:
            return f'ApiKey realm="{self._realm}", {self.key_in}="{self.key_name}"'
        parts = [f'Bearer realm="{self._realm}"']
        if error:
            parts.append(f'error="{error}"')
        if description:
            parts.append(f'error_description="{description}"')
        return ", ".join(parts)

    def authenticate(self, op: OperationSpec, request: Request, now: float) -> Principal | Denied:
        """The caller of ``request`` to ``op``, or why it is refused."""
        found = self._authenticate(op, request, now)
        if isinstance(found, Principal) and not self._companions_present(op, request):
            return Denied(401, "missing", self.challenge())
        return found

    def _companions_present(self, op: OperationSpec, request: Request) -> bool:
        """The other API keys a requirement names beside ours (``{key: [], client: []}``).

        Their values are not known to the sandbox, so only their presence is checked; a
        requirement without them, or an operation whose requirements do not name any, holds.
        """
        requirements = op.security if op.security is not None else self._document_security
        alternatives = [r for r in requirements or () if isinstance(r, Mapping)]
        if not alternatives:
            return True
        sources = {"query": request.query_params, "cookie": request.cookies}
        for requirement in alternatives:
            keys = [self._schemes.get(name) or {} for name in requirement]
            others = [
                (str(k.get("in", "header")), str(k.get("name", "")))
                for k in keys
                if k.get("type") == "apiKey" and str(k.get("name", "")) != self.key_name
            ]
            if all(sources.get(where, request.headers).get(name) for where, name in others):
                return True
        return False

    def _authenticate(self, op: OperationSpec, request: Request, now: float) -> Principal | Denied:
        if self.type is AuthType.API_KEY:
            sources = {"query": request.query_params, "cookie": request.cookies}
            source = sources.get(self.key_in, request.headers)
            return self._compare(source.get(self.key_name), self._credentials.api_key, "api-key")
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        if self.type is AuthType.BASIC:
            return self._basic(scheme, value.strip())
        if scheme.lower() != "bearer" or not value.strip():
            return Denied(401, "missing", self.challenge())
        token = value.strip()
        if self.type is AuthType.OAUTH2_CLIENT_CREDENTIALS:
            return self._oauth(op, token, now)
        if self.type is AuthType.JWT:
            return self._jwt(token, now)
        return self._compare(token, self._credentials.token, "bearer")

    def _compare(self, given: str | None, expected: Any, client: str) -> Principal | Denied:
        if not given:
            return Denied(401, "missing", self.challenge())
        if expected is None or not hmac.compare_digest(given.encode(), expected.reveal().encode()):
            return Denied(
                401, "invalid", self.challenge("invalid_token", "The credential is not valid.")
            )
        return Principal(client)

    def _basic(self, scheme: str, value: str) -> Principal | Denied:
        if scheme.lower() != "basic" or not value:
            return Denied(401, "missing", self.challenge())
        try:
            user, _, password = base64.b64decode(value, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return Denied(401, "invalid", self.challenge())
        expected = self._credentials.password
        good_user = user == (self._credentials.username or "")
        if (
            not good_user
            or expected is None
            or not hmac.compare_digest(password, expected.reveal())
        ):
            return Denied(401, "invalid", self.challenge())
        return Principal(user)

    def _oauth(self, op: OperationSpec, value: str, now: float) -> Principal | Denied:
        token = self._tokens.access(value)
        if token is None:
            return Denied(
                401, "invalid", self.challenge("invalid_token", "The access token is not valid.")
            )
        if token.revoked:
            return Denied(
                401, "revoked", self.challenge("invalid_token", "The access token was revoked.")
            )
        if token.expires_at <= now:
            return Denied(
                401, "expired", self.challenge("invalid_token", "The access token expired.")
            )
        needed = self._scope_alternatives(op)
        if needed and not any(scopes <= token.scopes for scopes in needed):
            wanted = " ".join(sorted(needed[0]))
            challenge = self.challenge("insufficient_scope", f"This operation needs {wanted}.")
            return Denied(403, "insufficient_scope", challenge + f', scope="{wanted}"')
        return Principal(token.client_id, token.scopes)

    def _scope_alternatives(self, op: OperationSpec) -> list[frozenset[str]]:
        alternatives = []
        for requirement in op.security or ():
            scopes = {
                s
                for name, listed in requirement.items()
                if name in self._oauth_schemes
                for s in listed
            }
            if scopes:
                alternatives.append(frozenset(scopes))
        return alternatives

    def _jwt(self, token: str, now: float) -> Principal | Denied:
        claims = _jwt_claims(token, self._auth, self._credentials)
        if claims is None:
            return Denied(401, "invalid", self.challenge("invalid_token", "The JWT is not valid."))
        expires = claims.get("exp")
        if isinstance(expires, int | float) and expires <= now:
            return Denied(401, "expired", self.challenge("invalid_token", "The JWT expired."))
        return Principal(str(claims.get("sub") or "jwt"))


def _secured_operations(
    spec: Spec, contract: Contract, kind: AuthType, token_ops: frozenset[str]
) -> frozenset[str]:
    """Operations that need credentials: per the document, else all but token and health."""
    if kind is AuthType.NONE:
        return frozenset()
    document = spec.raw.get("security")
    declared = document is not None or any(o.security is not None for o in spec.operations.values())
    health = contract.health.operation if contract.health is not None else None
    secured = set()
    for op_id, op in spec.operations.items():
        if op_id in token_ops:
            continue
        requirements = op.security if op.security is not None else document
        if requirements is not None:
            needed = bool(requirements) and all(len(r) > 0 for r in requirements)
        else:
            needed = not declared and op_id != health
        if needed:
            secured.add(op_id)
    return frozenset(secured)


def document_auth_type(spec: Spec) -> AuthType:
    """The kind of the first scheme the document's security requirements name."""
    scheme = _first_scheme(spec)
    kind = scheme.get("type") if scheme is not None else None
    if kind == "apiKey":
        return AuthType.API_KEY
    if kind == "http":
        basic = str(scheme.get("scheme", "")).lower() == "basic" if scheme else False
        return AuthType.BASIC if basic else AuthType.BEARER
    if kind in ("oauth2", "openIdConnect"):
        return AuthType.BEARER
    return AuthType.NONE  # none declared, or one a client cannot present (mutualTLS)


def _first_scheme(spec: Spec) -> Mapping[str, Any] | None:
    schemes = (spec.raw.get("components") or {}).get("securitySchemes") or {}
    listed = spec.raw.get("security")
    requirements = [listed] if isinstance(listed, list) else []
    requirements += [list(op.security) for op in spec.operations.values() if op.security]
    for requirement_list in requirements:
        for requirement in requirement_list:
            for name in requirement if isinstance(requirement, Mapping) else ():
                scheme = schemes.get(name) if isinstance(schemes, dict) else None
                if isinstance(scheme, dict) and "$ref" in scheme:
                    scheme = spec.deref(str(scheme["$ref"])[1:])[1]
                if isinstance(scheme, dict):
                    return scheme
    return None


def _api_key_location(contract: Contract, spec: Spec) -> tuple[str, str]:
    auth = contract.auth
    if auth is not None and auth.header:
        return auth.header, auth.in_
    schemes = spec.raw.get("components", {}).get("securitySchemes") or {}
    for scheme in [_first_scheme(spec), *schemes.values()]:
        if isinstance(scheme, dict) and scheme.get("type") == "apiKey" and scheme.get("name"):
            return str(scheme["name"]), str(scheme.get("in", "header"))
    return "X-API-Key", "header"


def _jwt_claims(token: str, auth: Any, credentials: Credentials) -> dict[str, Any] | None:
    try:
        head_b64, body_b64, signature_b64 = token.split(".")
        header = json.loads(_b64url(head_b64))
        claims = json.loads(_b64url(body_b64))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    settings = auth.jwt if auth is not None else None
    algorithm = settings.algorithm if settings is not None else "HS256"
    if (
        not isinstance(header, dict)
        or not isinstance(claims, dict)
        or header.get("alg") != algorithm
    ):
        return None
    digest = _HASHES.get(algorithm)
    if digest is not None:
        secret = credentials.jwt_secret.reveal().encode() if credentials.jwt_secret else b""
        expected = hmac.new(secret, f"{head_b64}.{body_b64}".encode(), digest).digest()
        try:
            if not hmac.compare_digest(expected, _b64url(signature_b64)):
                return None
        except (ValueError, binascii.Error):
            return None
    if settings is not None and settings.issuer and claims.get("iss") != settings.issuer:
        return None
    if settings is not None and settings.audience and settings.audience not in _audiences(claims):
        return None
    return claims


def _audiences(claims: Mapping[str, Any]) -> list[Any]:
    audience = claims.get("aud")
    return audience if isinstance(audience, list) else [audience]


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
