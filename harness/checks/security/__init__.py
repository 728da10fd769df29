"""Family ``security``: secrets stay secret, PII stays out of URLs and errors, TLS in production.

One module per claim: ``files`` (no secret in the contract's files, cassettes, reports),
``configuration`` (HTTPS for production, verifiable webhooks), ``echo`` (no answer quotes a
credential), ``pii`` and ``undeclared`` (judged on one probe per entity, see ``probe``).
"""

from __future__ import annotations

from harness.checks.base import Check
from harness.checks.security import configuration, echo, files, pii, undeclared
from harness.contract import Contract


def plan(contract: Contract) -> list[Check]:
    """The static claims, then the probe claims per entity."""
    return [
        *files.checks(contract),
        *configuration.checks(contract),
        *echo.checks(contract),
        *pii.checks(contract),
        *undeclared.checks(contract),
    ]


__all__ = ["plan"]
