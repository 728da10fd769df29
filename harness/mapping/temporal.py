"""Date and time transforms: ISO 8601 date-times, calendar dates and Unix epoch numbers.

Offsets, not zones: ISO 8601 text and epoch numbers carry a UTC offset (or imply UTC), never a
zone name such as ``Asia/Kolkata``. A datetime that comes back therefore has a fixed-offset
``timezone``: it compares equal to the original (same instant; for iso8601 also the same offset),
but its ``tzinfo`` object is not the original ``ZoneInfo``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from harness.mapping.errors import TransformError, show_got

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_aware(transform: str, value: Any) -> datetime:
    """A timezone-aware datetime from a datetime or ISO 8601 text; naive values are rejected."""
    if isinstance(value, datetime):
        moment, text = value, value.isoformat()
    elif isinstance(value, str):
        try:
            moment, text = datetime.fromisoformat(value), value
        except ValueError:
            example = "2026-03-01T10:00:00+05:30"
            raise TransformError(
                transform, f"{value!r} is not an ISO 8601 date-time (e.g. {example})"
            ) from None
    else:
        expected = "an ISO 8601 string or a timezone-aware datetime"
        raise TransformError(transform, f"expected {expected}, got {show_got(value)}")
    if moment.utcoffset() is None:
        raise TransformError(
            transform,
            f"{text} has no UTC offset; naive datetimes are rejected (add Z or +HH:MM)",
        )
    return moment


def _whole_minute_offset(transform: str, moment: datetime) -> datetime:
    offset = moment.utcoffset()
    if offset is not None and offset % timedelta(minutes=1):
        raise TransformError(
            transform,
            f"{moment.isoformat()} has an offset with seconds; ISO 8601 offsets are ±HH:MM",
        )
    return moment


@dataclass(frozen=True, slots=True, kw_only=True)
class Iso8601:
    """ours: aware datetime (or ISO 8601 text) ↔ theirs: ISO 8601 text. Exact.

    The offset is kept exactly as given (``+05:30`` stays ``+05:30``; nothing is converted to
    UTC). forward renders ``datetime.isoformat()``: ``+00:00`` rather than ``Z``, microseconds only
    when non-zero. backward reads anything ``datetime.fromisoformat`` reads, ``Z`` included.
    """

    name: str = "iso8601"
    lossy: bool = False

    def forward(self, value: Any) -> str:
        return _whole_minute_offset(self.name, parse_aware(self.name, value)).isoformat()

    def backward(self, value: Any) -> datetime:
        return _whole_minute_offset(self.name, parse_aware(self.name, value))


def _parse_date(transform: str, value: Any) -> date:
    if isinstance(value, datetime):
        # A datetime is a date subclass; taking .date() would drop the time of day silently.
        raise TransformError(
            transform,
            f"{value.isoformat()} is a datetime, not a date (use iso8601, or pass .date())",
        )
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _DATE_TEXT.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise TransformError(transform, f"{value!r} is not a calendar date: {exc}") from None
    raise TransformError(transform, f"expected a date or 'YYYY-MM-DD' text, got {show_got(value)}")


@dataclass(frozen=True, slots=True, kw_only=True)
class CalendarDate:
    """ours: date (or 'YYYY-MM-DD') ↔ theirs: 'YYYY-MM-DD'. Exact."""

    name: str = "date"
    lossy: bool = False

    def forward(self, value: Any) -> str:
        return _parse_date(self.name, value).isoformat()

    def backward(self, value: Any) -> date:
        return _parse_date(self.name, value)


@dataclass(frozen=True, slots=True, kw_only=True)
class Epoch:
    """ours: aware datetime ↔ theirs: integer units since 1970-01-01T00:00:00Z (s or ms).

    Precision finer than the unit is *floored* (toward the past, so 1969 behaves like 2026):
    backward(forward(t)) is t floored to the unit and equals t only when t is a whole number of
    units. Hence lossy by default; declaring ``lossy: false`` asserts whole units and makes forward
    reject any value that would lose precision. backward returns UTC (the number carries no offset).
    """

    name: str
    unit: timedelta
    lossy: bool = True

    def forward(self, value: Any) -> int:
        if not isinstance(value, datetime):
            raise TransformError(self.name, f"expected an aware datetime, got {show_got(value)}")
        return (parse_aware(self.name, value) - _EPOCH) // self.unit

    def backward(self, value: Any) -> datetime:
        if not isinstance(value, int) or isinstance(value, bool):
            raise TransformError(
                self.name, f"expected an integer count since the epoch, got {show_got(value)}"
            )
        try:
            return _EPOCH + value * self.unit
        except OverflowError:
            raise TransformError(
                self.name, f"{value} is outside the datetime range (years 1-9999)"
            ) from None
