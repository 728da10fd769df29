"""Family ``retry``: the provider says when to come back, and harness's client obeys the policy.

``retry_after_sent``: every response the policy retries on with 429 or 503 carries a valid
``Retry-After`` when ``honor_retry_after`` is declared (locally one of each is provoked
with a sandbox fault; elsewhere only responses the run saw are judged).

``client_follows_policy`` (local sandbox only): harness's own ``HarnessClient`` is driven
through fault sequences (back-off until success, attempts exhausted, a ``Retry-After``
above the cap, a POST) on a virtual clock, so back-off of seconds costs no wall time, and
its attempts are judged with ``judge_attempt_times``.
"""

from __future__ import annotations

import random
from typing import Any

import httpx

from harness.checks.base import Check, CheckContext, Verdict
from harness.checks.errors_match import ErrorTable
from harness.checks.ratelimit_ops import clear_faults, inject_fault, probe_operation
from harness.checks.retry_client import drive_scenarios
from harness.contract import Contract
from harness.errors import CheckFailure
from harness.results import Family, Outcome
from harness.transports.ratelimit_headers import parse_retry_after

#: Statuses that tell a client to come back later.
COME_BACK = frozenset({429, 503})


def plan(contract: Contract) -> list[Check]:
    retry = contract.retry
    if retry is None:
        return []
    checks = []
    if retry.honor_retry_after and COME_BACK & set(retry.retry_on):
        checks.append(
            Check(
                family=Family.RETRY,
                name="retry_after_sent",
                run=check_retry_after_sent,
                description="429 and 503 responses carry Retry-After",
                loc=retry.loc,
            )
        )
    checks.append(
        Check(
            family=Family.RETRY,
            name="client_follows_policy",
            run=check_client_follows_policy,
            description=f"harness's client retries as declared ({retry.max_attempts} attempts, "
            f"{retry.backoff} back-off, {retry.jitter} jitter)",
            loc=retry.loc,
            needs_sandbox=True,
        )
    )
    return checks


def check_retry_after_sent(context: CheckContext) -> Verdict:
    retry = context.contract.retry
    assert retry is not None
    statuses = COME_BACK & set(retry.retry_on)
    seen: list[tuple[str, int, str | None]] = []
    if context.target.controls is not None:
        seen.extend(_provoked(context, sorted(statuses)))
    table = ErrorTable.of(context.contract)
    for exchange in context.exchanges():
        if exchange.status in statuses and table.judged(exchange) and exchange.response:
            label = f"{exchange.request.method} {exchange.request.url.split('?', 1)[0]}"
            seen.append((label, exchange.response.status, exchange.response.header("Retry-After")))
    if not seen:
        return Verdict(
            outcome=Outcome.SKIPPED,
            message=f"no {'/'.join(map(str, sorted(statuses)))} response was seen in this run",
        )
    missing = [(label, status) for label, status, value in seen if parse_retry_after(value) is None]
    data: dict[str, Any] = {"judged": len(seen), "without_retry_after": len(missing)}
    if missing:
        shown = "; ".join(f"{label} -> {status}" for label, status in missing[:5])
        raise CheckFailure(
            f"{len(missing)} of {len(seen)} {'/'.join(map(str, sorted(statuses)))} responses "
            f"carry no valid Retry-After, though the retry policy honours it (contract "
            f"{retry.loc}): {shown}. Send Retry-After (seconds or an HTTP-date) with them",
            data=data,
        )
    return Verdict(message=f"{len(seen)} response(s) carried Retry-After", data=data)


def _provoked(context: CheckContext, statuses: list[int]) -> list[tuple[str, int, str | None]]:
    """Locally: one response per status, produced by a sandbox fault (not recorded in the run)."""
    operation_id = probe_operation(context.contract)
    if operation_id is None:
        return []
    operation = context.contract.operation(operation_id)
    found = []
    for status in statuses:
        inject_fault(
            context, {"status": status, "count": 1, "retry_after_s": 1, "operation": operation_id}
        )
        try:
            response: httpx.Response = context.http().get(operation.path)
        finally:
            clear_faults(context)
        found.append(
            (f"GET {operation.path}", response.status_code, response.headers.get("Retry-After"))
        )
    return found


def check_client_follows_policy(context: CheckContext) -> Verdict:
    results = drive_scenarios(context, rng=random.Random(context.seed))  # noqa: S311 - jitter
    data: dict[str, object] = {name: verdict.message for name, verdict in results.items()}
    failed = {name: verdict for name, verdict in results.items() if not verdict.ok}
    if failed:
        retry = context.contract.retry
        assert retry is not None
        raise CheckFailure(
            f"harness's client breaks the retry policy (contract {retry.loc}):\n"
            + "\n".join(f"{name}: {verdict.message}" for name, verdict in failed.items()),
            data=data,
        )
    return Verdict(message=f"{len(results)} fault sequences handled as declared", data=data)
