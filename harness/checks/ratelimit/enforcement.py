"""``ratelimit::enforced[i]``: the first 429 comes where the declared window limit says.

The probe (``harness.ratelimit.until_refused``) sends requests one after another until the
first 429, never more than ``limit + 2``. Locally it starts from a fresh window with
enforcement on, so the 429 must come exactly after ``limit`` requests; elsewhere the
requests already counted in the window are subtracted (the more of those this process sent
and those the server's first answer announced as used, so other xdist workers count too),
and ``SLIDING_TOLERANCE`` of the limit (at least one request) is allowed either way for
sliding windows and token buckets. The 429 must carry ``Retry-After``, and one request
after waiting it out must succeed (locally the sandbox clock is advanced; elsewhere harness
waits at most ``MAX_WAIT_S``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from typing import Any

import httpx

from harness.checks.base import CheckRuntime, Verdict
from harness.contract.model import RateLimit
from harness.errors import CheckFailure
from harness.ratelimit import enforcing, probe_operation, probe_refusal, until_refused
from harness.results import Outcome
from harness.transports.client import HarnessClient
from harness.transports.ratelimit_headers import parse_rate_limit, parse_retry_after
from harness.transports.scrub import response_excerpt

#: Share of the limit a sliding window may be off by (outside the local sandbox).
SLIDING_TOLERANCE = 0.1
#: A Retry-After may exceed the declared window by this much (whole seconds, clock skew).
WINDOW_SLACK_S = 1.0
#: The longest harness waits for a Retry-After before checking that a request gets through.
MAX_WAIT_S = 5.0
#: Added to a Retry-After before the recovery request: the header has whole seconds and the
#: server's clock and ours tick apart.
RECOVERY_MARGIN_S = 0.25


@dataclass(frozen=True, slots=True, kw_only=True)
class _Expected:
    """Where the first 429 of a probe should come."""

    limit: int
    window: str
    recent: int  # requests the run sent in the window before the probe
    tolerance: int
    where: str

    @property
    def allowed(self) -> int:
        return max(0, self.limit - self.recent)


def check_enforced(context: CheckRuntime, *, index: int) -> Verdict:
    rule = context.contract.rate_limits[index]
    assert rule.limit is not None
    assert rule.window_s is not None
    skipped = probe_refusal(context.target, rule, probe_large=context.settings.probe_large)
    operation = probe_operation(context.contract, rule)
    if skipped or operation is None:
        return Verdict(outcome=Outcome.SKIPPED, message=skipped or "no GET to probe with")
    # The local sandbox probes from a fresh window; so does a replay of its recording.
    local = context.target.controls is not None or context.target.environment.name == "local"
    expected = _Expected(
        limit=rule.limit,
        window=str(rule.window),
        recent=0 if local else _recent(context, rule),
        tolerance=0 if local else max(1, math.ceil(rule.limit * SLIDING_TOLERANCE)),
        where=f"{operation}, contract {rule.loc}",
    )
    client = context.client(retry=False, throttle=False)  # every 429 as it is
    with enforcing(context, rule.window_s):
        probed = until_refused(client, operation, budget=rule.limit + 2)
        passed = probed.allowed
        if not local:  # the larger of what this process sent and what the server counted
            expected = replace(expected, recent=max(expected.recent, _announced_used(probed.first)))
        observed: dict[str, Any] = {
            "allowed_before_429": passed,
            "sent": probed.sent,
            "earlier_in_run": expected.recent,
        }
        data: dict[str, Any] = {
            "operation": operation,
            "declared": {"limit": rule.limit, "window_s": rule.window_s},
            "observed": observed,
            "tolerance": expected.tolerance,
        }
        refusal = _judge_count(context, expected, passed, probed.refusal, data)
        wait = _judge_retry_after(context, rule, expected, refusal, data)
        observed["recovered"] = _recovers(context, client, operation, wait, data)
    return Verdict(
        message=f"{operation}: 429 after {passed + expected.recent} requests (declared "
        f"{rule.limit} per {rule.window}), Retry-After {wait:g} s",
        data=data,
    )


def _judge_count(
    context: CheckRuntime,
    expected: _Expected,
    passed: int,
    refusal: httpx.Response | None,
    data: dict[str, Any],
) -> httpx.Response:
    """The 429, when it came where the declared limit says; else the failure."""
    if refusal is None:
        raise CheckFailure(
            f"no 429 after {data['observed']['sent']} requests ({expected.where}); declared "
            f"limit is {expected.limit} per {expected.window}: the limit is not enforced, or "
            "is higher than declared",
            data=data,
        )
    if abs(passed - expected.allowed) > expected.tolerance:
        earlier = f" minus {expected.recent} sent earlier" if expected.recent else ""
        raise CheckFailure(
            f"first 429 after {passed} allowed requests ({expected.where}); declared "
            f"{expected.limit} per {expected.window}{earlier} = {expected.allowed} "
            f"(± {expected.tolerance}). Observed limit ≈ {passed + expected.recent}: fix the "
            "contract's limit or the server",
            evidence=(response_excerpt(refusal, context.secrets(), limit=400),),
            data=data,
        )
    return refusal


def _judge_retry_after(
    context: CheckRuntime,
    rule: RateLimit,
    expected: _Expected,
    refusal: httpx.Response,
    data: dict[str, Any],
) -> float:
    """The 429's ``Retry-After`` in seconds, when valid and within the window; else the failure."""
    wait = parse_retry_after(refusal.headers.get("Retry-After"))
    data["observed"]["retry_after_s"] = wait
    if wait is None:
        raise CheckFailure(
            f"the 429 ({expected.where}) carries no valid Retry-After; clients cannot know "
            "when to come back (RFC 6585 §4 recommends it, the retry policy relies on it)",
            evidence=(response_excerpt(refusal, context.secrets(), limit=400),),
            data=data,
        )
    window = rule.window_s
    if window is not None and wait > window + WINDOW_SLACK_S:
        raise CheckFailure(
            f"{data['operation']}: the 429 ({expected.where}) asks clients to wait {wait:g} s, "
            f"longer than the declared window of {window:g} s ({rule.limit} per {rule.window}); "
            "the quota is free again within one window, so clients would wait for nothing",
            evidence=(response_excerpt(refusal, context.secrets(), limit=400),),
            data=data,
        )
    return wait


def _recent(context: CheckRuntime, rule: RateLimit) -> int:
    """Requests this run sent to operations the rule covers, within its current window."""
    assert rule.window_s is not None
    since = time.time() - rule.window_s
    return sum(
        1
        for exchange in context.exchanges()
        if exchange.started_at >= since
        and exchange.operation_id is not None
        and (not rule.operations or exchange.operation_id in rule.operations)
    )


def _announced_used(first: httpx.Response | None) -> int:
    """Requests the server says were counted in the window before the probe's first one.

    Elsewhere than locally, other processes (xdist workers, other families) may have sent
    requests this process never saw; the first answer's limit and remaining tell.
    """
    if first is None or first.status_code == 429:
        return 0
    info = parse_rate_limit(first.headers)
    if info is None or info.limit is None or info.remaining is None:
        return 0
    return max(0, info.limit - info.remaining - 1)


def _recovers(
    context: CheckRuntime,
    client: HarnessClient,
    operation: str,
    wait: float,
    data: dict[str, Any],
) -> bool | None:
    controls = context.target.controls
    if controls is not None:
        controls.advance_clock(wait)
    elif wait <= MAX_WAIT_S:
        time.sleep(wait + RECOVERY_MARGIN_S)
    else:
        return None  # not checked: too long to wait in a test run
    response = client.call(operation)
    if response.status_code == 429:
        raise CheckFailure(
            f"{operation}: still 429 after waiting the {wait:g} s Retry-After asked for",
            evidence=(response_excerpt(response, context.secrets(), limit=400),),
            data=data,
        )
    return True
