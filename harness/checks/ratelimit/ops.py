"""Which operation a rate-limit probe uses, and a client that neither retries nor throttles."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

import httpx

from harness.checks.base import CheckRuntime
from harness.checks.operations import path_parameters
from harness.contract import Contract
from harness.contract.model import RateLimit
from harness.errors import UsageError
from harness.transports.client import HarnessClient

#: The sandbox's admin API, for fault injection (local only).
ADMIN_PREFIX = "/__harness__"
#: Where probes moved the sandbox clock to, so the next probe starts past their windows.
CLOCK_KEY = "ratelimit:furthest-clock"


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
        and not path_parameters(op)
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


def raw_client(context: CheckRuntime) -> HarnessClient:
    """The run's client without retries or throttle: probes must see every 429 as it is."""
    return context.client(retry=False, throttle=False)


def inject_fault(context: CheckRuntime, fault: dict[str, object]) -> None:
    """Ask the local sandbox (admin API) to misbehave; only with ``needs_sandbox`` checks."""
    response = context.http().post(f"{ADMIN_PREFIX}/faults", json=fault)
    if response.status_code != 200:
        raise UsageError(f"the sandbox refused fault {fault}: {response.status_code}")


def clear_faults(context: CheckRuntime) -> None:
    context.http().delete(f"{ADMIN_PREFIX}/faults")


@contextlib.contextmanager
def enforcing(context: CheckRuntime, window_s: float, *, enforce: bool = True) -> Iterator[None]:
    """Locally: a fresh window, limits enforced (or only counted); after, enforcement off and
    the sandbox clock put back where it was (tokens and webhook timestamps stay in step)."""
    controls = context.target.controls
    if controls is None:
        yield
        return
    base = _clock_offset(context)
    # Past every window an earlier probe left behind: those started at most at "furthest".
    furthest: dict[str, float] = context.shared(CLOCK_KEY, dict)
    controls.advance_clock(max(furthest.get("offset", base), base) - base + window_s + 1)
    controls.set_rate_limit_enforcement(enforce)
    try:
        yield
    finally:
        controls.set_rate_limit_enforcement(False)
        furthest["offset"] = _clock_offset(context)
        # Windows that started "in the future" are fresh again once the clock is back.
        context.http().post(f"{ADMIN_PREFIX}/clock", json={"skew_s": base})


def _clock_offset(context: CheckRuntime) -> float:
    offset = context.http().get(f"{ADMIN_PREFIX}/clock").json().get("offset_s", 0.0)
    return float(offset) if isinstance(offset, int | float) else 0.0


def ok(response: httpx.Response) -> bool:
    return response.status_code < 400
