"""Family ``health``: the declared health operation answers as expected, in time.

In replay, the latency judged is the one recorded with each interaction (the target's, when
it was recorded), never the speed of replay; a cassette without timings leaves the latency
claim unjudged (skipped, saying so), never passed.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from harness.checks.base import Check, CheckRuntime, Verdict, inconclusive
from harness.contract import Contract
from harness.errors import CheckFailure
from harness.transports.replay_timing import is_replayed, timing_of

SAMPLES = 3


STATUS_FIELDS = ("status", "health", "state")
HEALTHY = frozenset({"ok", "up", "pass", "healthy", "green", "available", "operational"})
UNHEALTHY = frozenset(
    {"degraded", "down", "fail", "failed", "failing", "error", "unhealthy", "warn", "warning",
     "outage", "maintenance", "unavailable", "red"}
)  # fmt: skip


def plan(contract: Contract) -> list[Check]:
    health = contract.health
    if health is None:
        return []
    return [
        Check(
            family="health",
            name=health.operation,
            run=check_health,
            description=f"{health.operation} answers {health.expect_status}"
            + (f" within {health.max_latency_ms} ms" if health.max_latency_ms else ""),
            loc=health.loc,
        )
    ]


def check_health(context: CheckRuntime) -> Verdict:
    health = context.contract.health
    assert health is not None  # planned only when declared
    client = context.client()
    latencies: list[float] = []
    untimed = replayed = 0
    for _ in range(SAMPLES):
        start = time.perf_counter()
        response = client.call(health.operation)
        elapsed_s, timed = timing_of(response, time.perf_counter() - start)
        replayed += is_replayed(response)
        if timed:
            latencies.append(elapsed_s * 1000)
        else:
            untimed += 1
        if response.status_code != health.expect_status:
            raise CheckFailure(
                f"{health.operation} answered {response.status_code}, expected "
                f"{health.expect_status} (contract {health.loc}); body: {response.text[:300]!r}"
            )
        _require_self_reported_health(health.operation, response)
    if untimed:
        return _untimed(health.operation, health.expect_status, health.max_latency_ms, untimed)
    median_ms = statistics.median(latencies)
    source = "recorded" if replayed else "measured"
    data = {
        "latency_ms": [round(value, 2) for value in latencies],
        "median_ms": median_ms,
        "latency_source": source,
    }
    if health.max_latency_ms is not None and median_ms > health.max_latency_ms:
        raise CheckFailure(
            f"{health.operation} took {median_ms:.0f} ms (median of {SAMPLES}, {source}); the "
            f"contract allows {health.max_latency_ms} ms (contract {health.loc})",
            data=data,
        )
    return Verdict(message=f"{health.operation}: {median_ms:.1f} ms median ({source})", data=data)


def _require_self_reported_health(operation: str, response: Any) -> None:
    """A 200 that says 'degraded' in its body is not healthy (health+json: pass/warn/fail)."""
    try:
        body = response.json()
    except ValueError:
        return
    if not isinstance(body, dict):
        return
    for field in STATUS_FIELDS:
        value = body.get(field)
        if isinstance(value, str) and value.strip().lower() in UNHEALTHY:
            raise CheckFailure(
                f"{operation} answered {response.status_code} but reports itself "
                f"{field}={value!r}; a healthy target reports one of {sorted(HEALTHY)}"
            )


def _untimed(operation: str, status: int, max_latency_ms: float | None, untimed: int) -> Verdict:
    """Replayed from a cassette without timings: the status held, the latency is unknown."""
    held = f"{operation} answered {status} {SAMPLES}/{SAMPLES} times (replayed)"
    if max_latency_ms is None:
        return Verdict(message=f"{held}; no latency declared", data={"latency_source": "none"})
    return inconclusive(
        f"{held}, but {untimed} of the replayed answers have no recorded timing, so "
        f"max_latency_ms {max_latency_ms} cannot be judged; re-record the cassettes "
        "(`--mode record`) to keep the target's timings",
        data={"latency_source": "none"},
    )
