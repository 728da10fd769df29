"""The check families: each module plans one Check per claim of its guide section."""

from __future__ import annotations

from collections.abc import Collection

from harness.checks import (
    auth,
    compliance,
    config,
    conformance,
    errors,
    health,
    mapping,
    ratelimit,
    retry,
    security,
    stateful,
    webhooks,
)
from harness.checks.base import Check
from harness.contract import Contract


def _conformance(contract: Contract) -> list[Check]:
    return conformance.plan(contract) + stateful.plan(contract)


FAMILIES = {
    "config": config.plan,
    "auth": auth.plan,
    "health": health.plan,
    "conformance": _conformance,
    "security": security.plan,
    "compliance": compliance.plan,
    "mapping": mapping.plan,
    "webhooks": webhooks.plan,
    "ratelimit": ratelimit.plan,  # before retry, which judges the 429s it provoked
    "retry": retry.plan,
    "errors": errors.plan,  # last: it reads every exchange recorded before it
}


def plan_checks(contract: Contract, families: Collection[str] = ()) -> list[Check]:
    """Every check of the contract, in family order; ``families`` filters (empty: all)."""
    return [
        check
        for name, plan in FAMILIES.items()
        if not families or name in families
        for check in plan(contract)
    ]


__all__ = ["FAMILIES", "Check", "plan_checks"]
