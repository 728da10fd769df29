"""The bounded window probe: which operation it uses, whether it may run, and the probe.

A probe sends one cheap, safe request after another until the first 429, never more than
its budget (``limit + 2`` for a declared window limit), never against a protected
environment, and limits above ``LARGE_LIMIT`` only with ``--harness-probe-large``. The
``ratelimit`` family judges where the 429 came; the ``retry`` family judges that it carries
``Retry-After``. Both use this one probe, so their verdicts do not depend on each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from harness.contract import Contract
from harness.contract.model import RateLimit
from harness.settings import Target
from harness.transports.client import HarnessClient

#: Limits above this many requests per window are probed only with --harness-probe-large.
LARGE_LIMIT = 100


@dataclass(frozen=True, slots=True, kw_only=True)
class Probed:
    """What a probe saw: requests allowed before the first 429, the 429 (None: none came),
    requests sent, and the first response (what the server announced before the probe)."""

    allowed: int
    refusal: httpx.Response | None
    sent: int
    first: httpx.Response | None


def probe_operation(contract: Contract, rule: RateLimit | None = None) -> str | None:
    """A cheap, safe operation the rule covers: a GET without path parameters.

    Operations that document 429 are preferred (the sandbox limits exactly those); the
    health operation only when nothing else qualifies.
    """
    if contract.document is None:
        return None
    health = contract.health.operation if contract.health else None
    candidates = [
        op
        for op in contract.document.operations.values()
        if op.method == "get"
        and not op.path_parameters
        and (rule is None or not rule.operations or op.operation_id in rule.operations)
        and not _has_required_query(op.definition)
    ]
    candidates.sort(
        key=lambda op: (
            op.operation_id == health,
            "429" not in op.definition.get("responses", {}),
        )
    )
    return candidates[0].operation_id if candidates else None


def _has_required_query(definition: Mapping[str, Any]) -> bool:
    parameters = definition.get("parameters", [])
    return isinstance(parameters, list) and any(
        isinstance(p, dict) and p.get("required") and p.get("in") == "query" for p in parameters
    )


def probe_refusal(target: Target, rule: RateLimit, *, probe_large: bool) -> str | None:
    """Why ``rule`` must not be probed on ``target`` (None: it may be)."""
    if target.protected:
        return f"environment '{target.environment.name}' is protected: limits are never probed"
    assert rule.limit is not None
    if rule.limit > LARGE_LIMIT and not probe_large:
        return (
            f"limit {rule.limit} > {LARGE_LIMIT} per window: headers only; pass "
            "--harness-probe-large to probe it"
        )
    return None


def until_refused(client: HarnessClient, operation: str, *, budget: int) -> Probed:
    """Call ``operation`` until the first 429, at most ``budget`` times.

    ``client`` must neither retry nor throttle: the probe must see every 429 as it is.
    """
    allowed = 0
    first: httpx.Response | None = None
    for sent in range(1, budget + 1):
        response = client.call(operation)
        first = first or response
        if response.status_code == 429:
            return Probed(allowed=allowed, refusal=response, sent=sent, first=first)
        allowed += response.status_code < 400
    return Probed(allowed=allowed, refusal=None, sent=budget, first=first)
