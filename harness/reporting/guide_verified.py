"""Guide sections drawn from what the last run verified: the Arazzo workflows, the pacts
(with their last verification) and the load probe's figures against the declared ones."""

from __future__ import annotations

from collections.abc import Iterable

from harness.contract import Contract
from harness.reporting.guide_blocks import DRIFT, Block, Measured, h3, para, table
from harness.results import CheckResult


def workflows(contract: Contract, measured: Measured | None) -> list[Block]:
    """Each Arazzo workflow, its steps and its last verdict."""
    document = contract.arazzo or {}
    found = document.get("workflows") or []
    if not found:
        return []
    verdicts = _by_name(measured, "workflows")
    rows = []
    for workflow in found:
        if not isinstance(workflow, dict):
            continue
        name = str(workflow.get("workflowId", "?"))
        steps = [
            str(s.get("stepId", "?")) for s in workflow.get("steps") or [] if isinstance(s, dict)
        ]
        rows.append([name, " → ".join(steps), _verdict(verdicts.get(name))])
    source = contract.workflows.arazzo if contract.workflows is not None else None
    return [
        para(f"Arazzo document: `{source}`; each workflow is one check of the `workflows` family."),
        table(["workflow", "steps", "last run"], rows),
    ]


def verified_testing(contract: Contract, measured: Measured | None) -> list[Block]:
    """The pacts the contract lists, and how each interaction fared in the last run."""
    if not contract.pacts:
        return []
    results = [r for r in (measured.results if measured else ()) if r.family == "pact"]
    rows = [
        [source.path, source.provider or contract.id, _pact_summary(results)]
        for source in contract.pacts
    ]
    last = measured.health.get("run", {}).get("started") if measured else None
    return [
        h3("Pacts"),
        para(f"Verified by the `pact` family (last run: {last or 'none yet'})."),
        table(["pact files", "provider", "last verification"], rows),
    ]


def verified_performance(measured: Measured | None) -> list[Block]:
    """The load probe's declared vs measured figures (health.json's ``performance``)."""
    section = measured.health.get("performance") if measured else None
    if not isinstance(section, dict) or not section.get("rows"):
        return []
    rows = [
        [
            row.get("metric"),
            row.get("declared"),
            row.get("measured"),
            "inconclusive" if row.get("inconclusive") else _flag(str(row.get("outcome"))),
        ]
        for row in section["rows"]
        if isinstance(row, dict)
    ]
    return [
        h3("Under load (the performance family's probe)"),
        table(["figure", "declared", "measured", "verdict"], rows),
    ]


def _by_name(measured: Measured | None, family: str) -> dict[str, CheckResult]:
    return {r.name: r for r in (measured.results if measured else ()) if r.family == family}


def _verdict(result: CheckResult | None) -> str:
    if result is None:
        return "not run yet"
    return f"{result.outcome}: {result.message.splitlines()[0][:120] if result.message else ''}"


def _pact_summary(results: Iterable[CheckResult]) -> str:
    counts: dict[str, int] = {}
    for result in results:
        counts[str(result.outcome)] = counts.get(str(result.outcome), 0) + 1
    if not counts:
        return "not run yet"
    return ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))


def _flag(outcome: str) -> str:
    return "ok" if outcome == "passed" else (DRIFT if outcome == "failed" else outcome)
