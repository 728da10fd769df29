"""Family ``conformance``: property-based requests per operation, built on Schemathesis."""

from __future__ import annotations

from harness.checks.base import Check
from harness.checks.conformance import operation, stateful
from harness.contract import Contract


def plan(contract: Contract) -> list[Check]:
    """One check per operation and direction, then the stateful (link-following) checks."""
    return operation.plan(contract) + stateful.plan(contract)


__all__ = ["plan"]
