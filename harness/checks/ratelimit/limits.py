"""Family ``ratelimit``: declared limits are announced truthfully and enforced as declared.

Per declared window limit: ``headers[i]`` sends a few requests and checks the announced
headers (present in the declared style with every field that style declares — limit,
remaining and reset — limit as declared, remaining decreasing and never above the limit,
reset in the future); ``enforced[i]`` is the bounded probe (never more than
``limit + 2`` requests, never against a protected environment; limits above
``LARGE_LIMIT`` only with ``--harness-probe-large``). Per concurrency cap, ``concurrency[i]``
sends ``cap + 1`` slow requests at once on the local sandbox. Locally, enforcement is
switched on for a probe and off again after, and windows end by ``advance_clock``.
"""

from __future__ import annotations

import time
from functools import partial
from typing import Any

from harness.checks.base import Check, CheckRuntime, Verdict
from harness.checks.ratelimit.ops import enforcing, probe_operation, raw_client
from harness.checks.ratelimit.probe import check_concurrency, check_enforced
from harness.contract import Contract
from harness.contract.model import RateLimit, RateLimitHeaders
from harness.errors import CheckFailure
from harness.results import Outcome
from harness.transports.ratelimit_headers import RateLimitInfo, missing_fields, parse_rate_limit

HEADER_SAMPLES = 3


def plan(contract: Contract) -> list[Check]:
    checks: list[Check] = []
    for index, rule in enumerate(contract.rate_limits):
        label = _label(rule)
        if rule.limit and rule.window_s:
            if rule.headers is not RateLimitHeaders.NONE:
                checks.append(
                    Check(
                        family="ratelimit",
                        name=f"headers[{index}]",
                        run=partial(check_headers, index=index),
                        description=f"{label}: {rule.headers} headers announce it truthfully",
                        loc=rule.loc,
                    )
                )
            checks.append(
                Check(
                    family="ratelimit",
                    name=f"enforced[{index}]",
                    run=partial(check_enforced, index=index),
                    description=f"{label}: the first 429 comes at the declared limit",
                    loc=rule.loc,
                    mutating=True,
                )
            )
        if rule.concurrent:
            checks.append(
                Check(
                    family="ratelimit",
                    name=f"concurrency[{index}]",
                    run=partial(check_concurrency, index=index),
                    description=f"{label}: request {rule.concurrent + 1} in flight is refused",
                    loc=rule.loc,
                    needs_sandbox=True,
                )
            )
    return checks


def _label(rule: RateLimit) -> str:
    if rule.limit and rule.window:
        return f"{rule.limit} requests per {rule.window}"
    return f"{rule.concurrent} requests in flight"


def check_headers(context: CheckRuntime, *, index: int) -> Verdict:
    rule = context.contract.rate_limits[index]
    operation = probe_operation(context.contract, rule)
    if operation is None:
        return Verdict(outcome=Outcome.SKIPPED, message="no GET operation without parameters")
    assert rule.window_s is not None
    client = raw_client(context) if context.target.controls else context.client(retry=False)
    infos: list[RateLimitInfo | None] = []
    with enforcing(context, rule.window_s, enforce=False):
        for _ in range(HEADER_SAMPLES):
            infos.append(parse_rate_limit(client.call(operation).headers))
            time.sleep(0.01)
    data: dict[str, object] = {
        "operation": operation,
        "declared": {"limit": rule.limit, "window_s": rule.window_s, "headers": str(rule.headers)},
        "observed": [_info_json(info) for info in infos],
    }
    problems = header_problems(rule, infos)
    if problems:
        raise CheckFailure(
            f"{operation}: rate-limit headers disagree with the contract ({rule.loc}): "
            + "; ".join(problems),
            data=data,
        )
    return Verdict(message=f"{operation}: {rule.headers} headers consistent", data=data)


def header_problems(rule: RateLimit, infos: list[RateLimitInfo | None]) -> list[str]:
    """What is wrong with the headers of consecutive responses, against ``rule``."""
    problems: list[str] = []
    for number, info in enumerate(infos, start=1):
        if info is None:
            problems.append(f"response {number} carries no parseable {rule.headers} headers")
            continue
        if str(info.style) != str(rule.headers):
            problems.append(f"response {number} uses {info.style} headers, not {rule.headers}")
            continue
        problems.extend(
            f"no {field} announced: {header} is missing or malformed, and the declared "
            f"{rule.headers} style sends it"
            for field, header in missing_fields(info, rule.headers)
        )
        if info.limit is not None and info.limit != rule.limit:
            problems.append(f"limit announced {info.limit}, declared {rule.limit}")
        if info.limit is not None and info.remaining is not None and info.remaining > info.limit:
            problems.append(f"remaining {info.remaining} exceeds the limit {info.limit}")
        if info.reset_s is not None and not 0 < info.reset_s <= (rule.window_s or 0) + 1:
            problems.append(
                f"reset in {info.reset_s:g} s; expected in the future, within the "
                f"{rule.window} window"
            )
    remaining = [info.remaining if info else None for info in infos]
    for number in range(1, len(remaining)):
        before, after = remaining[number - 1], remaining[number]
        if before is not None and after is not None and before > 0 and after >= before:
            problems.append(
                f"remaining did not decrease: {before} then {after} after one more request"
            )
    return sorted(set(problems), key=problems.index)


def _info_json(info: RateLimitInfo | None) -> dict[str, Any] | None:
    if info is None:
        return None
    return {
        "style": str(info.style),
        "limit": info.limit,
        "remaining": info.remaining,
        "reset_s": info.reset_s,
        "window_s": info.window_s,
    }
