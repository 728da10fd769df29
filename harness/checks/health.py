"""Family ``health``: the declared health operation answers as expected, in time."""

from __future__ import annotations

import statistics
import time

from harness.checks.base import Check, CheckContext, Verdict
from harness.contract import Contract
from harness.errors import CheckFailure
from harness.results import Family

SAMPLES = 3


def plan(contract: Contract) -> list[Check]:
    health = contract.health
    if health is None:
        return []
    return [
        Check(
            family=Family.HEALTH,
            name=health.operation,
            run=check_health,
            description=f"{health.operation} answers {health.expect_status}"
            + (f" within {health.max_latency_ms} ms" if health.max_latency_ms else ""),
            loc=health.loc,
        )
    ]


def check_health(context: CheckContext) -> Verdict:
    health = context.contract.health
    assert health is not None  # planned only when declared
    client = context.client()
    latencies = []
    for _ in range(SAMPLES):
        start = time.perf_counter()
        response = client.call(health.operation)
        latencies.append((time.perf_counter() - start) * 1000)
        if response.status_code != health.expect_status:
            raise CheckFailure(
                f"{health.operation} answered {response.status_code}, expected "
                f"{health.expect_status} (contract {health.loc}); body: {response.text[:300]!r}"
            )
    median_ms = statistics.median(latencies)
    data = {"latency_ms": [round(value, 2) for value in latencies], "median_ms": median_ms}
    if health.max_latency_ms is not None and median_ms > health.max_latency_ms:
        raise CheckFailure(
            f"{health.operation} took {median_ms:.0f} ms (median of {SAMPLES}); the contract "
            f"allows {health.max_latency_ms} ms (contract {health.loc})",
            data=data,
        )
    return Verdict(message=f"{health.operation}: {median_ms:.1f} ms median", data=data)
