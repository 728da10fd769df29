"""Custom transforms for the mapping_faults contract: each wrong in the way real ones are."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal


def to_utc_text(value: str) -> str:
    """Fault: converts to UTC and writes Z, so the sender's offset is lost."""
    moment = datetime.fromisoformat(value)
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"


def parse_text(value: str) -> str:
    return datetime.fromisoformat(value).isoformat()


def cents_to_amount(value: int) -> str:
    """Fault: divides by 100 twice (the value was already converted upstream)."""
    return format(Decimal(value) / 100 / 100, "f")


def amount_to_cents(value: str) -> int:
    return int(Decimal(value) * 100)
