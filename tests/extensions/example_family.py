"""A family from outside harness: what a user project ships to add its own checks.

Registered through the ``harness.families`` entry point (see ``installed_plugin`` in
test_family_plugin.py, which writes the ``entry_points.txt`` a real package would have):

    [project.entry-points."harness.families"]
    sla = "example_family:FAMILY"

Its one check asks the health operation and fails when the answer is slower than the
contract's declared p95 — a made-up "SLA" claim, small enough to read in one go.
"""

from __future__ import annotations

from harness.checks.base import Check, CheckRuntime, Verdict, inconclusive
from harness.checks.registry import Family
from harness.contract import Contract
from harness.errors import CheckFailure


def plan(contract: Contract) -> list[Check]:
    health = contract.health
    if health is None:
        return []
    return [
        Check(
            family="sla",
            name="health_within_p95",
            run=_health_within_p95,
            description="the health operation answers within the declared p95 latency",
            loc=health.loc,
        )
    ]


def _health_within_p95(runtime: CheckRuntime) -> Verdict:
    contract = runtime.contract
    declared = contract.performance.p95_ms if contract.performance is not None else None
    if declared is None:
        return inconclusive("the contract declares no p95 latency")
    assert contract.health is not None
    response = runtime.client().call(contract.health.operation)
    elapsed_ms = response.elapsed.total_seconds() * 1000
    if elapsed_ms > declared:
        raise CheckFailure(f"health answered in {elapsed_ms:.0f} ms, declared p95 {declared} ms")
    return Verdict(message=f"health answered in {elapsed_ms:.1f} ms (p95 {declared} ms)")


FAMILY = Family(
    name="sla",
    plan=plan,
    description="an example family from a plugin: health within the declared p95",
    severity="critical",
)
