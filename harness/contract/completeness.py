"""Warnings for a contract that is valid but leaves sections of the guide empty."""

from __future__ import annotations

from harness.contract.contract import Contract
from harness.contract.model import IntegrationType
from harness.errors import Location, Problem

# Section → what the guide loses without it.
_SECTIONS = {
    "pattern": "the Architecture section (pattern, direction, frequency)",
    "config": "the Configuration options table",
    "auth": "the Authentication section; auth checks cannot run",
    "api": "the API Reference; conformance checks cannot run",
    "workflows": "the Integration Workflows section",
    "mappings": "the Data Mapping section; mapping checks cannot run",
    "errors": "the Error Codes table; error checks cannot run",
    "retry": "the Retry Logic section",
    "rate_limits": "the Rate Limits section",
    "health": "the Health Checks section",
    "performance": "the Performance Benchmarks",
    "security": "the Security and Data Privacy sections",
    "maintenance": "the Maintenance Tasks list",
    "support": "the Support Contacts and Troubleshooting sections",
    "costs": "the Costs section",
    "migration": "the Migration Guide",
    "changelog": "the Changelog",
}


def missing_sections(contract: Contract) -> list[Problem]:
    """One warning per guide section the contract leaves empty."""
    where = Location(contract.loc.file, 1, 1, "$")
    warnings = [
        Problem(where, f"section '{name}' is empty: the guide loses {loses}", severity="warning")
        for name, loses in _SECTIONS.items()
        if not getattr(contract, name)
    ]
    is_webhook = IntegrationType.WEBHOOK in contract.type
    if is_webhook and (contract.webhooks is None or not contract.webhooks.events):
        message = "type lists 'webhook' but no webhook events are declared"
        warnings.append(Problem(where, message, "add webhooks.events", severity="warning"))
    return warnings


def unset_variables(contract: Contract) -> list[Problem]:
    """One note per ``${VAR}`` that is not set here (needed only for some environments)."""
    return [
        Problem(
            use.location,
            f"{use.name} is not set here; environments other than 'local' will need it",
            f"export {use.name}=... before 'harness check --env sandbox'",
            severity="note",
        )
        for use in contract.variables
        if not use.is_set
    ]
