"""``verify`` written once for every HMAC scheme; a scheme only says how to read its headers.

Every built-in scheme verifies the same way: derive the key from the secret, read the received
signatures and the signed content from the message, compare in constant time, then check the
timestamp (when the scheme signs one) against the tolerance. Only the reading differs, so a
scheme implements ``read`` (and ``key`` when its secret is not used as text) and inherits
``verify``. The order of the steps is part of the contract of ``verify``: a bad secret is a
``UsageError`` before anything about the message, and a message is judged on its signature
before its clock, so a forged message is reported as forged even when it is also stale.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

from harness.webhooks.base import (
    DEFAULT_TOLERANCE_S,
    HeaderView,
    Secret,
    VerificationError,
    VerificationReason,
    check_tolerance,
    decode_base64,
    decode_hex,
    digest_matches,
    hmac_digest,
    shorten,
    text_key,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class SignedMessage:
    """What a scheme read from a message: the signed content and the signatures received."""

    content: bytes
    received: Sequence[bytes]
    mismatch: str  # what to say when no received signature matches
    algorithm: str = "sha256"
    timestamp: int | None = None  # None: the scheme signs no timestamp
    timestamp_where: str = ""  # the header it came from, for the message


class HmacVerifier(ABC):
    """The shared ``verify``: key, read, compare, then the clock."""

    __slots__ = ()

    def key(self, secret: Secret) -> bytes:
        """The HMAC key a secret gives; most vendors use the secret's text as it is."""
        return text_key(secret)

    @abstractmethod
    def read(self, headers: HeaderView, body: bytes) -> SignedMessage:
        """The signatures and signed content of a message; ``VerificationError`` if unreadable."""

    def window(self, override: float | None) -> float:
        """The tolerance to apply: the caller's, else the scheme's own."""
        return DEFAULT_TOLERANCE_S if override is None else override

    def verify(
        self,
        secret: Secret,
        headers: HeaderView,
        body: bytes,
        *,
        now: float,
        tolerance_s: float | None,
    ) -> None:
        """Return if the message is authentic; raise ``VerificationError`` otherwise."""
        key = self.key(secret)
        message = self.read(headers, body)
        expected = hmac_digest(key, message.content, message.algorithm)
        if not digest_matches(expected, message.received):
            raise VerificationError(VerificationReason.BAD_SIGNATURE, message.mismatch)
        if message.timestamp is not None:
            window = self.window(tolerance_s)
            where = message.timestamp_where
            check_tolerance(message.timestamp, now=now, tolerance_s=window, where=where)


def body_mismatch(header: str) -> str:
    """The mismatch message of a scheme that signs the body (and maybe a timestamp)."""
    return f"the signature in {header!r} does not match the body"


def received_digest(
    header: str, value: str, *, prefix: str, encoding: str, size: int, shape: str
) -> bytes:
    """The digest in a ``<prefix><hex or base64 digest>`` header value; MALFORMED otherwise.

    ``shape`` says in words what the encoded part must be ("64 hex digits").
    """
    encoded = value.removeprefix(prefix)
    digest = decode_hex(encoded, size) if encoding == "hex" else decode_base64(encoded, size)
    if not value.startswith(prefix) or digest is None:
        expected = f"{prefix!r} followed by {shape}" if prefix else shape
        raise VerificationError(
            VerificationReason.MALFORMED,
            f"{header!r} must be {expected}, got {shorten(value)}",
        )
    return digest
