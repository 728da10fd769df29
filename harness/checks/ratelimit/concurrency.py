"""``ratelimit::concurrency[i]``: one request more than the declared cap in flight is refused.

On the local sandbox only: a fault holds each of ``cap + 1`` requests for ``HOLD_MS``, so
all are in flight at once; at least one must get a 429, and ``cap`` of them must be served.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from harness.checks.base import CheckRuntime, Verdict
from harness.errors import CheckFailure
from harness.ratelimit import enforcing, probe_operation
from harness.results import Outcome
from harness.transports.sandbox_admin import clear_faults, inject_fault

#: How long each concurrency-probe request is held by the sandbox.
HOLD_MS = 500


def check_concurrency(context: CheckRuntime, *, index: int) -> Verdict:
    rule = context.contract.rate_limits[index]
    assert rule.concurrent is not None
    operation = probe_operation(context.contract, rule)
    if operation is None:
        return Verdict(outcome=Outcome.SKIPPED, message="no GET operation to probe with")
    windows = [r.window_s for r in context.contract.rate_limits if r.window_s]
    client = context.client(retry=False, throttle=False)  # every 429 as it is
    count = rule.concurrent + 1
    with enforcing(context, max(windows, default=0.0)):
        inject_fault(
            context.http(), {"latency_ms": HOLD_MS, "count": count, "operation": operation}
        )
        try:
            with ThreadPoolExecutor(max_workers=count) as pool:
                statuses = list(
                    pool.map(lambda _: client.call(operation).status_code, range(count))
                )
        finally:
            clear_faults(context.http())
    refused = statuses.count(429)
    data: dict[str, object] = {
        "operation": operation,
        "declared": {"concurrent": rule.concurrent},
        "observed": {"statuses": statuses, "refused": refused},
    }
    if refused == 0:
        raise CheckFailure(
            f"{count} requests in flight at once on {operation} were all served; the contract "
            f"({rule.loc}) caps concurrency at {rule.concurrent}",
            data=data,
        )
    if count - refused < rule.concurrent:
        raise CheckFailure(
            f"only {count - refused} of {count} parallel requests were served on {operation}; "
            f"the contract ({rule.loc}) allows {rule.concurrent} in flight",
            data=data,
        )
    return Verdict(message=f"{rule.concurrent} in flight served, one more refused", data=data)
