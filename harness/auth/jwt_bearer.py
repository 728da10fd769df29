"""A self-signed JWT (RFC 7519) sent as a bearer token, re-signed before it expires.

The HMAC algorithms (HS256/384/512) are signed here, per RFC 7515: a few lines of the
standard library, and no ``InsecureKeyLengthWarning`` from PyJWT for a short key that the
vendor chose and harness cannot change (under ``filterwarnings = error`` that warning would
break a run). The asymmetric ones (RS256, ES256) are signed by PyJWT with ``cryptography``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from harness.auth.provider import require_secret
from harness.contract.model import Secret
from harness.errors import UsageError

try:
    import jwt as pyjwt
except ImportError:  # pragma: no cover - exercised only where PyJWT is absent
    pyjwt = None  # type: ignore[assignment]

_HMAC = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}
_REMEMBERED_TOKENS = 16


class Jwt:
    """Signs ``{iss, sub, aud, iat, exp, jti}`` with a shared secret or private key."""

    def __init__(
        self,
        *,
        secret: Secret | None,
        algorithm: str = "HS256",
        issuer: str | None = None,
        audience: str | None = None,
        subject: str | None = None,
        lifetime_s: int = 300,
        claims: Mapping[str, Any] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if lifetime_s < 1:
            raise UsageError(f"a JWT lifetime must be >= 1 second; got {lifetime_s!r}")
        self.algorithm = algorithm
        self.issuer = issuer
        self.audience = audience
        self.subject = subject
        self.lifetime_s = lifetime_s
        self.tokens_signed = 0
        self._claims = dict(claims or {})
        self._secret = secret
        self._clock = clock
        self._lock = threading.Lock()
        self._current: tuple[str, float] | None = None  # (token, renew at)
        self._issued: deque[str] = deque(maxlen=_REMEMBERED_TOKENS)

    def __repr__(self) -> str:
        return f"Jwt(algorithm={self.algorithm!r}, issuer={self.issuer!r})"

    def apply(self, request: httpx.Request) -> None:
        request.headers["Authorization"] = f"Bearer {self.token()}"

    def on_unauthorized(self, request: httpx.Request | None = None) -> bool:
        with self._lock:
            self._current = None
        return True  # a freshly signed token may be accepted (clock skew, a rotated jti)

    def secret_values(self) -> frozenset[str]:
        held = {self._secret.value} if self._secret is not None and self._secret.value else set()
        return frozenset(held | set(self._issued))

    def token(self) -> str:
        """The current token, signed anew once four fifths of its lifetime have passed."""
        with self._lock:
            now = self._clock()
            if self._current is not None and now < self._current[1]:
                return self._current[0]
            token = self._sign(now)
            self._current = (token, now + self.lifetime_s * 0.8)
            self._issued.append(token)
            return token

    def claims(self, now: float) -> dict[str, Any]:
        """The claims a token signed at ``now`` carries."""
        issued = int(now)
        claims: dict[str, Any] = {
            "iat": issued,
            "exp": issued + self.lifetime_s,
            "jti": uuid.uuid4().hex,
        }
        named = {"iss": self.issuer, "sub": self.subject, "aud": self.audience}
        claims.update({name: value for name, value in named.items() if value is not None})
        return {**claims, **self._claims}

    def _sign(self, now: float) -> str:
        key = require_secret(self._secret, what="jwt_secret", auth_type="jwt")
        self.tokens_signed += 1
        claims = self.claims(now)
        if self.algorithm in _HMAC or pyjwt is None:
            return sign_hmac(claims, key, self.algorithm)
        try:
            return pyjwt.encode(claims, key, algorithm=self.algorithm)
        except NotImplementedError as exc:  # RS256 or ES256 without cryptography
            raise UsageError(
                f"JWT algorithm {self.algorithm} needs the 'cryptography' package "
                f"(pip install 'pyjwt[crypto]'): {exc}"
            ) from exc


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def sign_hmac(claims: Mapping[str, Any], key: str, algorithm: str = "HS256") -> str:
    """A compact JWS (RFC 7515) of ``claims`` with an HMAC algorithm, without PyJWT."""
    digest = _HMAC.get(algorithm)
    if digest is None:
        raise UsageError(
            f"JWT algorithm {algorithm} needs PyJWT and cryptography "
            f"(pip install 'pyjwt[crypto]'); without them harness signs only {', '.join(_HMAC)}"
        )
    header = {"alg": algorithm, "typ": "JWT"}
    signing_input = ".".join(
        _b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
    )
    signature = hmac.new(key.encode(), signing_input.encode("ascii"), digest).digest()
    return f"{signing_input}.{_b64url(signature)}"
