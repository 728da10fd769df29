"""Standard Webhooks v1 (https://www.standardwebhooks.com), the scheme Svix and others send.

The signed content is ``{webhook-id}.{webhook-timestamp}.{body}``, signed with HMAC-SHA256
under the *decoded* secret (``whsec_`` + base64). ``webhook-signature`` is a space-separated
list of ``version,base64`` entries so that a sender can sign with an old and a new secret
while rotating; entries of versions other than ``v1`` are ignored.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from harness.errors import UsageError
from harness.webhooks.base import (
    HeaderView,
    Secret,
    TimestampTolerance,
    VerificationError,
    VerificationReason,
    decode_base64,
    hmac_digest,
    parse_timestamp,
    shorten,
    wire_bytes,
)
from harness.webhooks.verification import HmacVerifier, SignedMessage

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format marker, not a secret
ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
_VERSION = "v1"
_MISMATCH = f"no {_VERSION} entry of {SIGNATURE_HEADER!r} matches the id, timestamp and body"


@dataclass(frozen=True, slots=True, kw_only=True)
class StandardWebhooksScheme(TimestampTolerance, HmacVerifier):
    """``webhook-id`` / ``webhook-timestamp`` / ``webhook-signature: v1,<base64>``."""

    @property
    def name(self) -> str:
        return "standard-webhooks"

    def sign(self, secret: Secret, body: bytes, *, msg_id: str, timestamp: int) -> dict[str, str]:
        stamp = str(timestamp)
        digest = hmac_digest(decode_secret(secret), _content(msg_id, stamp, body))
        return {
            ID_HEADER: msg_id,
            TIMESTAMP_HEADER: stamp,
            SIGNATURE_HEADER: f"{_VERSION},{base64.b64encode(digest).decode('ascii')}",
        }

    def key(self, secret: Secret) -> bytes:
        return decode_secret(secret)

    def read(self, headers: HeaderView, body: bytes) -> SignedMessage:
        msg_id = headers.require(ID_HEADER)
        stamp = headers.require(TIMESTAMP_HEADER)
        candidates = _v1_signatures(headers.require(SIGNATURE_HEADER))
        return SignedMessage(
            content=_content(msg_id, stamp, body),
            received=candidates,
            mismatch=_MISMATCH,
            timestamp=parse_timestamp(stamp, TIMESTAMP_HEADER),
            timestamp_where=TIMESTAMP_HEADER,
        )


def decode_secret(secret: Secret) -> bytes:
    """The HMAC key: ``whsec_<base64>`` (prefix optional) decoded, or raw key bytes."""
    if isinstance(secret, bytes):
        key: bytes | None = secret
    elif isinstance(secret, str):
        encoded = secret.strip().removeprefix(SECRET_PREFIX)
        key = decode_base64(encoded)
        if key is None:
            raise UsageError(
                f"the standard-webhooks secret must be {SECRET_PREFIX!r} followed by base64; "
                "pass raw key bytes if the vendor gave you bytes"
            )
    else:
        raise UsageError(f"the secret must be str or bytes, got {type(secret).__name__}")
    if not key:
        raise UsageError("the secret is empty; set it to the signing secret the vendor issued")
    return key


def _content(msg_id: str, stamp: str, body: bytes) -> bytes:
    return wire_bytes(msg_id) + b"." + wire_bytes(stamp) + b"." + body


def _v1_signatures(header: str) -> list[bytes]:
    """The decoded ``v1`` signatures; undecodable ones cannot match and are dropped."""
    signatures: list[bytes] = []
    for entry in header.split():
        version, comma, encoded = entry.partition(",")
        if not comma or not version:
            raise VerificationError(
                VerificationReason.MALFORMED,
                f"{SIGNATURE_HEADER!r} entry {shorten(entry)} is not 'version,base64'",
            )
        decoded = decode_base64(encoded) if version == _VERSION else None
        if decoded is not None:
            signatures.append(decoded)
    return signatures
