"""The compliance report: each requirement with its status, evidence and remediation.

Requirements are the checks of the ``security``, ``compliance`` and ``config`` families.
Remediation comes from the contract where it says one (a maintenance task's description,
``errors[].resolution`` of an error code the check names) and otherwise from the check's
own "Fix:" advice. A contract-hygiene finding that did not fail the run (no
``--harness-strict-contract``) has the status ``warning``. The score is the share of
requirements that passed, skipped ones (inconclusive or not run) aside; warnings count
against it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from harness.contract import Contract
from harness.results import CheckResult, Outcome

COMPLIANCE_FORMAT = 1
WARNING = "warning"
_ERROR_CODE = re.compile(r"\b[A-Z][A-Z0-9]*_[A-Z0-9]+\b")
_TASK = re.compile(r"maintenance\[(?P<task>[^\]]+)\]")


def status(result: CheckResult) -> str:
    """The outcome, or ``warning`` for a contract-hygiene finding that did not fail the run."""
    if result.contract_hygiene and result.outcome is Outcome.SKIPPED and not result.inconclusive:
        return WARNING
    return str(result.outcome)


def remediation(result: CheckResult, contract: Contract | None) -> str | None:
    """What to do about a requirement that is not met, from the contract where it says."""
    if result.outcome is Outcome.PASSED:
        return None
    if contract is not None:
        task = _TASK.fullmatch(result.name)
        if task:
            for entry in contract.maintenance:
                if entry.task == task["task"]:
                    return entry.description or f"do {entry.task} (every {entry.every})"
        for code in _ERROR_CODE.findall(result.message):
            for error in contract.errors:
                if error.code == code and error.resolution:
                    return f"{code}: {error.resolution}"
    _, mark, advice = result.message.partition("Fix:")
    return advice.strip() or None if mark else None


def _summary(message: str) -> str:
    """The first line of a message, without its "Fix:" advice (shown as the remediation)."""
    first = message.splitlines()[0] if message else ""
    return first.partition("Fix:")[0].rstrip(" .;") or first


def evidence(result: CheckResult) -> dict[str, Any]:
    request = None
    for item in result.evidence:
        if item.get("curl"):
            request = str(item["curl"])
            break
        inner = item.get("request")
        if isinstance(inner, Mapping):
            request = f"{inner.get('method', '')} {inner.get('url', '')}".strip()
            break
    return {"check": result.id, "request": request, "contract_line": result.contract_line}


def build_compliance(
    integration: str,
    run: Mapping[str, Any],
    results: Iterable[CheckResult],
    contract: Contract | None = None,
) -> dict[str, Any]:
    """The ``compliance.json`` document (shape: ``harness/reporting/compliance.schema.json``)."""
    chosen = sorted(
        (result for result in results if result.requirement),
        key=lambda result: (result.family, result.name),
    )
    requirements = [
        {
            "id": f"{result.family}.{result.name}",
            "family": result.family,
            "status": status(result),
            "contract_hygiene": result.contract_hygiene,
            "inconclusive": result.inconclusive,
            "summary": _summary(result.message),
            "message": result.message,
            "evidence": evidence(result),
            "remediation": remediation(result, contract),
        }
        for result in chosen
    ]
    counted = [item for item in requirements if item["status"] != Outcome.SKIPPED]
    passed = sum(1 for item in counted if item["status"] == Outcome.PASSED)
    warnings = sum(1 for item in counted if item["status"] == WARNING)
    score = round(100 * passed / len(counted), 1) if counted else None
    return {
        "format": COMPLIANCE_FORMAT,
        "integration": integration,
        "run": dict(run),
        "score": score,
        "passed": passed,
        "total": len(counted),
        "warnings": warnings,
        "requirements": requirements,
    }
