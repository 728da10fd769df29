"""Vendor schemes: Stripe, Slack, GitHub and Shopify, all HMAC-SHA256 keyed by the secret text.

Each follows its vendor's documentation:

* Stripe — ``Stripe-Signature: t=<ts>,v1=<hex>[,v1=<hex>...]`` over ``{t}.{body}``; the whole
  ``whsec_...`` string is the key (it is *not* base64-decoded, unlike Standard Webhooks).
* Slack — ``X-Slack-Signature: v0=<hex>`` over ``v0:{ts}:{body}``, timestamp in
  ``X-Slack-Request-Timestamp``.
* GitHub — ``X-Hub-Signature-256: sha256=<hex>`` over the body; no timestamp.
* Shopify — ``X-Shopify-Hmac-Sha256: <base64>`` over the body; no timestamp.

Timestamped schemes reject a timestamp too far from now in *either* direction: a far-future
timestamp would otherwise let a captured message be replayed for as long as it stays ahead.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from harness.webhooks.base import (
    HeaderView,
    Secret,
    TimestampTolerance,
    VerificationError,
    VerificationReason,
    decode_hex,
    hmac_digest,
    parse_timestamp,
    shorten,
    text_key,
    wire_bytes,
)
from harness.webhooks.verification import (
    HmacVerifier,
    SignedMessage,
    body_mismatch,
    received_digest,
)

STRIPE_HEADER = "Stripe-Signature"
SLACK_SIGNATURE_HEADER = "X-Slack-Signature"
SLACK_TIMESTAMP_HEADER = "X-Slack-Request-Timestamp"
GITHUB_HEADER = "X-Hub-Signature-256"
SHOPIFY_HEADER = "X-Shopify-Hmac-Sha256"
_SHA256_SIZE = 32
_SHA256_HEX = "64 hex digits"


def _prefixed_hex(header: str, value: str, prefix: str) -> bytes:
    """The digest of a single ``<prefix><64 hex>`` signature header."""
    return received_digest(
        header, value, prefix=prefix, encoding="hex", size=_SHA256_SIZE, shape=_SHA256_HEX
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class StripeScheme(TimestampTolerance, HmacVerifier):
    """``Stripe-Signature: t=<ts>,v1=<hex>``; several ``v1`` entries while rolling secrets."""

    @property
    def name(self) -> str:
        return "stripe"

    def sign(self, secret: Secret, body: bytes, *, msg_id: str, timestamp: int) -> dict[str, str]:
        digest = hmac_digest(text_key(secret), f"{timestamp}.".encode() + body)
        return {STRIPE_HEADER: f"t={timestamp},v1={digest.hex()}"}

    def read(self, headers: HeaderView, body: bytes) -> SignedMessage:
        stamp, signatures = _stripe_entries(headers.require(STRIPE_HEADER))
        where = f"{STRIPE_HEADER!r} t"
        timestamp = parse_timestamp(stamp, where)
        if not signatures:
            raise VerificationError(
                VerificationReason.BAD_SIGNATURE, f"{STRIPE_HEADER!r} carries no v1 signature"
            )
        return SignedMessage(
            content=wire_bytes(stamp) + b"." + body,
            received=signatures,
            mismatch=body_mismatch(STRIPE_HEADER),
            timestamp=timestamp,
            timestamp_where=where,
        )


def _stripe_entries(header: str) -> tuple[str, list[bytes]]:
    """The ``t`` value and the decodable ``v1`` digests; other schemes (``v0``) are ignored."""
    stamps: list[str] = []
    signatures: list[bytes] = []
    for item in header.split(","):
        key, equals, value = item.strip().partition("=")
        if not equals:
            raise VerificationError(
                VerificationReason.MALFORMED,
                f"{STRIPE_HEADER!r} item {shorten(item)} is not 'key=value'",
            )
        if key == "t":
            stamps.append(value)
        elif key == "v1" and (digest := decode_hex(value, _SHA256_SIZE)) is not None:
            signatures.append(digest)
    if len(stamps) != 1:
        count = "no" if not stamps else "more than one"
        raise VerificationError(
            VerificationReason.MALFORMED, f"{STRIPE_HEADER!r} has {count} 't=' timestamp"
        )
    return stamps[0], signatures


@dataclass(frozen=True, slots=True, kw_only=True)
class SlackScheme(TimestampTolerance, HmacVerifier):
    """``X-Slack-Signature: v0=<hex>`` over ``v0:{ts}:{body}``."""

    @property
    def name(self) -> str:
        return "slack"

    def sign(self, secret: Secret, body: bytes, *, msg_id: str, timestamp: int) -> dict[str, str]:
        digest = hmac_digest(text_key(secret), _slack_content(str(timestamp), body))
        return {
            SLACK_TIMESTAMP_HEADER: str(timestamp),
            SLACK_SIGNATURE_HEADER: f"v0={digest.hex()}",
        }

    def read(self, headers: HeaderView, body: bytes) -> SignedMessage:
        stamp = headers.require(SLACK_TIMESTAMP_HEADER)
        signature = headers.require(SLACK_SIGNATURE_HEADER)
        timestamp = parse_timestamp(stamp, SLACK_TIMESTAMP_HEADER)
        return SignedMessage(
            content=_slack_content(stamp, body),
            received=[_prefixed_hex(SLACK_SIGNATURE_HEADER, signature, "v0=")],
            mismatch=body_mismatch(SLACK_SIGNATURE_HEADER),
            timestamp=timestamp,
            timestamp_where=SLACK_TIMESTAMP_HEADER,
        )


def _slack_content(stamp: str, body: bytes) -> bytes:
    return b"v0:" + wire_bytes(stamp) + b":" + body


@dataclass(frozen=True, slots=True, kw_only=True)
class GitHubScheme(HmacVerifier):
    """``X-Hub-Signature-256: sha256=<hex>`` over the raw body; no timestamp."""

    @property
    def name(self) -> str:
        return "github"

    def sign(self, secret: Secret, body: bytes, *, msg_id: str, timestamp: int) -> dict[str, str]:
        return {GITHUB_HEADER: f"sha256={hmac_digest(text_key(secret), body).hex()}"}

    def read(self, headers: HeaderView, body: bytes) -> SignedMessage:
        received = _prefixed_hex(GITHUB_HEADER, headers.require(GITHUB_HEADER), "sha256=")
        return SignedMessage(
            content=body, received=[received], mismatch=body_mismatch(GITHUB_HEADER)
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ShopifyScheme(HmacVerifier):
    """``X-Shopify-Hmac-Sha256: <base64>`` over the raw body; no timestamp."""

    @property
    def name(self) -> str:
        return "shopify"

    def sign(self, secret: Secret, body: bytes, *, msg_id: str, timestamp: int) -> dict[str, str]:
        digest = hmac_digest(text_key(secret), body)
        return {SHOPIFY_HEADER: base64.b64encode(digest).decode("ascii")}

    def read(self, headers: HeaderView, body: bytes) -> SignedMessage:
        value = headers.require(SHOPIFY_HEADER).strip()
        received = received_digest(
            SHOPIFY_HEADER,
            value,
            prefix="",
            encoding="base64",
            size=_SHA256_SIZE,
            shape="the base64 of 32 bytes",
        )
        return SignedMessage(
            content=body, received=[received], mismatch=body_mismatch(SHOPIFY_HEADER)
        )
