"""One classified change between two versions, and the report that lists them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from harness.errors import Location


class Severity(StrEnum):
    """How a change affects us: breaking fails the gate, needs-review asks a human."""

    BREAKING = "breaking"
    NEEDS_REVIEW = "needs-review"
    NON_BREAKING = "non-breaking"


SEVERITY_ORDER = (Severity.BREAKING, Severity.NEEDS_REVIEW, Severity.NON_BREAKING)


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """What changed (``kind``, a stable id), where in both versions, and what to do about it."""

    section: str
    kind: str
    severity: Severity
    subject: str
    message: str
    migration: str
    old: Location | None = None
    new: Location | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "section": self.section,
            "kind": self.kind,
            "severity": str(self.severity),
            "subject": self.subject,
            "message": self.message,
            "migration": self.migration,
            "old": where(self.old),
            "new": where(self.new),
        }


def where(location: Location | None) -> str | None:
    """``file:line:col``, or ``file#$.json.path`` where lines are not mapped; None if none."""
    if location is None:
        return None
    return str(location) if location.line else f"{location.file}#{location.path}"


@dataclass(frozen=True, slots=True, kw_only=True)
class DiffReport:
    """Every change found between ``old`` and ``new`` (labels as the user named them)."""

    old: str
    new: str
    changes: tuple[Change, ...]

    @property
    def breaking(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.severity is Severity.BREAKING)

    def count(self, severity: Severity) -> int:
        return sum(1 for change in self.changes if change.severity is severity)

    def sorted(self) -> tuple[Change, ...]:
        """Breaking first, then needs-review, then non-breaking; stable within each."""
        rank = {severity: index for index, severity in enumerate(SEVERITY_ORDER)}
        return tuple(sorted(self.changes, key=lambda change: rank[change.severity]))
