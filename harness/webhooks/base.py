"""The seam every signature scheme implements, and the pieces all schemes share.

A scheme sees normalised input: the body as bytes, the headers as a case-insensitive
``HeaderView`` and the clock as float seconds. The public ``sign``/``verify`` in
``harness.webhooks.signing`` do the normalising, so a scheme only knows its own wire format.

Two kinds of failure are kept apart on purpose. A problem with the *message* (a header
missing, garbage, a wrong signature, a stale timestamp) is a ``VerificationError``: it is
what a check reports about the integration. A problem with the *configuration* (an empty
or undecodable secret, an unknown option) is a ``harness.errors.UsageError``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Protocol, runtime_checkable

from harness.errors import HarnessError, UsageError

Secret = str | bytes
"""A signing secret: text as the vendor shows it, or raw key bytes."""

DEFAULT_TOLERANCE_S = 300.0
"""Five minutes, the window Standard Webhooks, Stripe and Slack all document."""

# Integer seconds, optionally negative; 32 digits is far past any clock yet small enough
# that arithmetic on it can never overflow a float.
_TIMESTAMP = re.compile(r"-?[0-9]{1,32}")
_HEX = re.compile(r"[0-9a-fA-F]*")
_SHOWN_CHARS = 60


class VerificationReason(StrEnum):
    """Why a signed message was rejected."""

    MISSING_HEADER = "missing_header"
    MALFORMED = "malformed"
    BAD_SIGNATURE = "bad_signature"
    TIMESTAMP_OUT_OF_TOLERANCE = "timestamp_out_of_tolerance"


class VerificationError(HarnessError):
    """A webhook message failed verification; ``reason`` says which way."""

    def __init__(self, reason: VerificationReason, detail: str, *, scheme: str = "") -> None:
        self.reason = reason
        self.detail = detail
        self.scheme = scheme
        where = f"{scheme}: " if scheme else ""
        super().__init__(f"{where}{reason}: {detail}")

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only state would be lost by the default Exception pickling.
        return (_rebuild_error, (self.reason, self.detail, self.scheme))


def _rebuild_error(reason: VerificationReason, detail: str, scheme: str) -> VerificationError:
    return VerificationError(reason, detail, scheme=scheme)


@runtime_checkable
class SignatureScheme(Protocol):
    """How one family of webhooks is signed and checked."""

    @property
    def name(self) -> str:
        """The registry name, e.g. ``"stripe"``."""
        ...

    def sign(self, secret: Secret, body: bytes, *, msg_id: str, timestamp: int) -> dict[str, str]:
        """The headers that sign ``body``; schemes without ids or timestamps ignore them."""
        ...

    def verify(
        self,
        secret: Secret,
        headers: HeaderView,
        body: bytes,
        *,
        now: float,
        tolerance_s: float | None,
    ) -> None:
        """Return if the message is authentic; raise ``VerificationError`` otherwise.

        ``tolerance_s`` of None means the scheme's own default.
        """
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class TimestampTolerance:
    """The timestamp window of a scheme that signs a timestamp (both directions)."""

    tolerance_s: float = DEFAULT_TOLERANCE_S

    def __post_init__(self) -> None:
        object.__setattr__(self, "tolerance_s", check_tolerance_option(self.tolerance_s))

    def window(self, override: float | None) -> float:
        """The tolerance to apply: the caller's, else the scheme's own."""
        return self.tolerance_s if override is None else override


@dataclass(frozen=True, slots=True)
class HeaderView:
    """Received headers, looked up by name in any case."""

    values: Mapping[str, str]

    @classmethod
    def from_headers(cls, headers: object) -> HeaderView:
        """Read a mapping or an iterable of (name, value) pairs; str or latin-1 bytes."""
        pairs = _header_pairs(headers)
        values: dict[str, str] = {}
        for raw_name, raw_value in pairs:
            name = _header_text(raw_name, "a header name").lower()
            value = _header_text(raw_value, f"header {name!r}")
            if values.setdefault(name, value) != value:
                raise VerificationError(
                    VerificationReason.MALFORMED,
                    f"header {name!r} is given more than once with different values",
                )
        return cls(MappingProxyType(values))

    def get(self, name: str) -> str | None:
        return self.values.get(name.lower())

    def require(self, name: str) -> str:
        """The value of ``name``; absent or blank is a missing header."""
        value = self.get(name)
        if value is None or not value.strip():
            state = "absent" if value is None else "empty"
            raise VerificationError(
                VerificationReason.MISSING_HEADER, f"header {name!r} is {state}"
            )
        return value


def _header_pairs(headers: object) -> Iterable[tuple[object, object]]:
    if isinstance(headers, Mapping):
        return list(headers.items())
    if isinstance(headers, Iterable) and not isinstance(headers, str | bytes):
        pairs = list(headers)
        if all(isinstance(pair, tuple) and len(pair) == 2 for pair in pairs):
            return pairs
    raise VerificationError(
        VerificationReason.MALFORMED,
        f"headers must be a mapping or (name, value) pairs, got {type(headers).__name__}",
    )


def _header_text(raw: object, what: str) -> str:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bytes):
        return raw.decode("latin-1")  # HTTP header bytes are latin-1 by definition
    raise VerificationError(
        VerificationReason.MALFORMED, f"{what} must be str or bytes, got {type(raw).__name__}"
    )


def shorten(text: str) -> str:
    """``repr`` of received text, cut so a huge garbage header cannot flood a report."""
    if len(text) <= _SHOWN_CHARS:
        return repr(text)
    return repr(text[:_SHOWN_CHARS]) + f"... ({len(text)} chars)"


def wire_bytes(text: str) -> bytes:
    """Header text as the bytes a signer would have hashed; never raises."""
    # surrogatepass: received text may hold lone surrogates; they simply will not match.
    return text.encode("utf-8", "surrogatepass")


def text_key(secret: Secret) -> bytes:
    """The HMAC key for schemes that use the secret's text as-is (Stripe, GitHub, ...)."""
    if isinstance(secret, bytes):
        key = secret
    elif isinstance(secret, str):
        try:
            key = secret.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise UsageError(f"the secret is not valid text: {exc.reason}") from None
    else:
        raise UsageError(f"the secret must be str or bytes, got {type(secret).__name__}")
    if not key:
        raise UsageError("the secret is empty; set it to the signing secret the vendor issued")
    return key


def hmac_digest(key: bytes, content: bytes, algorithm: str = "sha256") -> bytes:
    return hmac.new(key, content, getattr(hashlib, algorithm)).digest()


def digest_matches(expected: bytes, candidates: Iterable[bytes]) -> bool:
    """Constant-time comparison against every candidate (rotation sends several)."""
    matched = False
    for candidate in candidates:
        matched |= hmac.compare_digest(expected, candidate)
    return matched


def decode_hex(text: str, size: int) -> bytes | None:
    """``size`` bytes from hex text, or None if the text is not exactly that."""
    if len(text) != 2 * size or not _HEX.fullmatch(text):
        return None
    return bytes.fromhex(text)


def decode_base64(text: str, size: int | None = None) -> bytes | None:
    """Bytes from standard base64 (padding optional), or None if it is not base64."""
    if not text.isascii():
        return None
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    if size is not None and len(raw) != size:
        return None
    return raw


def parse_timestamp(text: str, where: str) -> int:
    """Integer seconds since the epoch from header text."""
    if not _TIMESTAMP.fullmatch(text):
        raise VerificationError(
            VerificationReason.MALFORMED,
            f"{where} must be integer seconds since the epoch, got {shorten(text)}",
        )
    return int(text)


def check_tolerance(timestamp: int, *, now: float, tolerance_s: float, where: str) -> None:
    """Reject a timestamp further than ``tolerance_s`` from ``now``, in either direction."""
    skew = now - timestamp  # timestamp has at most 32 digits: the float cannot overflow
    if abs(skew) <= tolerance_s:
        return
    direction = "behind" if skew > 0 else "ahead of"
    raise VerificationError(
        VerificationReason.TIMESTAMP_OUT_OF_TOLERANCE,
        f"{where} {timestamp} is {abs(skew):.0f}s {direction} now; "
        f"the tolerance is {tolerance_s:g}s",
    )


def check_tolerance_option(tolerance_s: object) -> float:
    """A tolerance given as an option: a non-negative number of seconds (inf disables)."""
    if isinstance(tolerance_s, bool) or not isinstance(tolerance_s, int | float):
        raise UsageError(
            f"tolerance_s must be a number of seconds, got {type(tolerance_s).__name__}"
        )
    if math.isnan(tolerance_s) or tolerance_s < 0:
        raise UsageError(
            f"tolerance_s must be zero or more seconds (math.inf disables it), got {tolerance_s}"
        )
    return float(tolerance_s)
