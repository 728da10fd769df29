"""The checks of the ``ratelimit`` family, per declared limit.

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

from functools import partial

from harness.checks.base import Check
from harness.checks.ratelimit.concurrency import check_concurrency
from harness.checks.ratelimit.enforcement import check_enforced
from harness.checks.ratelimit.headers import check_headers
from harness.contract import Contract
from harness.contract.model import RateLimit, RateLimitHeaders


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
