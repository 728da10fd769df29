"""The public ``sign`` and ``verify``: normalise the arguments, then hand over to a scheme.

``verify`` raises only ``VerificationError`` for anything wrong with the *message* — the
headers and body, however garbled. Configuration mistakes (an unknown scheme, an empty
secret, a negative tolerance) are ``UsageError``: they are the caller's bug, not the
sender's.
"""

from __future__ import annotations

import math
import secrets
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from harness.errors import UsageError
from harness.webhooks.base import (
    HeaderView,
    Secret,
    SignatureScheme,
    VerificationError,
    VerificationReason,
    check_tolerance_option,
)
from harness.webhooks.registry import resolve_scheme

Body = bytes | bytearray | memoryview | str
Headers = Mapping[str, str] | Iterable[tuple[str, str]]
_LIMIT = 10**15  # seconds: thirty million years either side of 1970 is plenty


def new_msg_id() -> str:
    """A fresh message id in the ``msg_...`` shape Standard Webhooks senders use."""
    return "msg_" + secrets.token_urlsafe(18)


def sign(
    scheme: str | SignatureScheme,
    secret: Secret,
    body: Body,
    *,
    msg_id: str | None = None,
    timestamp: int | datetime | None = None,
) -> dict[str, str]:
    """The headers that sign ``body`` under ``scheme``.

    ``timestamp`` is integer seconds or a datetime (naive means UTC), now by default;
    ``msg_id`` defaults to a fresh ``msg_...`` id. Schemes that sign neither ignore them.
    """
    resolved = resolve_scheme(scheme)
    raw = _body_bytes(body)
    if raw is None:
        raise UsageError(f"body must be bytes or UTF-8 text, got {_describe(body)}")
    identifier = new_msg_id() if msg_id is None else _checked_msg_id(msg_id)
    return resolved.sign(secret, raw, msg_id=identifier, timestamp=_seconds(timestamp))


def verify(
    scheme: str | SignatureScheme,
    secret: Secret,
    headers: Headers,
    body: Body,
    *,
    now: float | datetime | None = None,
    tolerance_s: float | None = None,
) -> None:
    """Return if ``body`` and ``headers`` carry a valid signature; else ``VerificationError``.

    ``headers`` is a mapping (names in any case) or (name, value) pairs. ``now`` is the
    clock to judge timestamps by (seconds or datetime); ``tolerance_s`` overrides the
    scheme's window, in both directions (``math.inf`` disables it).
    """
    resolved = resolve_scheme(scheme)
    clock = _clock(now)
    window = None if tolerance_s is None else check_tolerance_option(tolerance_s)
    try:
        view = HeaderView.from_headers(headers)
        raw = _body_bytes(body)
        if raw is None:
            raise VerificationError(
                VerificationReason.MALFORMED,
                f"body must be bytes or UTF-8 text, got {_describe(body)}",
            )
        resolved.verify(secret, view, raw, now=clock, tolerance_s=window)
    except VerificationError as exc:
        if exc.scheme:
            raise
        raise VerificationError(exc.reason, exc.detail, scheme=resolved.name) from None


def _body_bytes(body: object) -> bytes | None:
    if isinstance(body, bytes | bytearray | memoryview):
        return bytes(body)
    if isinstance(body, str):
        try:
            return body.encode("utf-8")
        except UnicodeEncodeError:
            return None  # lone surrogates: no sender could have signed this text
    return None


def _describe(body: object) -> str:
    return "text with unpaired surrogates" if isinstance(body, str) else type(body).__name__


def _checked_msg_id(msg_id: object) -> str:
    if not isinstance(msg_id, str) or not msg_id or not msg_id.isprintable():
        raise UsageError(f"msg_id must be non-empty printable text, got {msg_id!r}")
    return msg_id


def _seconds(timestamp: object) -> int:
    """Integer seconds since the epoch from int, datetime (naive = UTC) or None (now)."""
    if timestamp is None:
        return math.floor(time.time())
    if isinstance(timestamp, datetime):
        aware = timestamp if timestamp.tzinfo else timestamp.replace(tzinfo=UTC)
        return math.floor(aware.timestamp())
    if isinstance(timestamp, int) and not isinstance(timestamp, bool) and abs(timestamp) < _LIMIT:
        return timestamp
    raise UsageError(f"timestamp must be int seconds or a datetime, got {timestamp!r:.60}")


def _clock(now: object) -> float:
    if now is None:
        return time.time()
    if isinstance(now, datetime):
        aware = now if now.tzinfo else now.replace(tzinfo=UTC)
        return aware.timestamp()
    if isinstance(now, int | float) and not isinstance(now, bool) and abs(now) < _LIMIT:
        return float(now)  # the bound also rules out NaN and infinities
    raise UsageError(f"now must be finite seconds or a datetime, got {now!r:.60}")
