"""``ratelimit::headers[i]``: what responses announce about a declared window limit.

A few requests in a row (locally with enforcement off, so none is refused) must announce
the limit in the declared header style, with every field that style sends: the limit as
declared, remaining decreasing and never above the limit, the reset in the future and
within the window.
"""

from __future__ import annotations

import time
from typing import Any

from harness.checks.base import CheckRuntime, Verdict
from harness.contract.model import RateLimit
from harness.errors import CheckFailure
from harness.ratelimit import enforcing, probe_operation
from harness.results import Outcome
from harness.transports.ratelimit_headers import RateLimitInfo, missing_fields, parse_rate_limit

#: Responses whose headers are compared.
HEADER_SAMPLES = 3


def check_headers(context: CheckRuntime, *, index: int) -> Verdict:
    rule = context.contract.rate_limits[index]
    operation = probe_operation(context.contract, rule)
    if operation is None:
        return Verdict(outcome=Outcome.SKIPPED, message="no GET operation without parameters")
    assert rule.window_s is not None
    # Without retries (and locally without throttle): the headers as the server sent them.
    if context.target.controls:
        client = context.client(retry=False, throttle=False)
    else:
        client = context.client(retry=False)
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
