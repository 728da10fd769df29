"""``retry::retry_after_sent``: the 429s a bounded probe provokes carry ``Retry-After``.

Judged when the policy honours ``Retry-After`` and retries 429 or 503. Per declared window
limit it runs the same bounded probe as ``ratelimit::enforced`` (``harness.ratelimit``:
never more than ``limit + 2`` requests, never against a protected environment), so its
verdict does not depend on which family ran before it, or on running alone. A 503 cannot
be provoked from outside (a server sends it when overloaded), so it is not judged; with
nothing provoked the check is skipped with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from harness.checks.base import CheckRuntime, Verdict, inconclusive
from harness.errors import CheckFailure
from harness.ratelimit import enforcing, probe_operation, probe_refusal, until_refused
from harness.transports.ratelimit_headers import parse_retry_after
from harness.transports.scrub import response_excerpt


@dataclass(frozen=True, slots=True, kw_only=True)
class _Provoked:
    """What the probes found: the 429s (operation, response) and why others were not probed."""

    refusals: tuple[tuple[str, httpx.Response], ...]
    notes: tuple[str, ...]


def check_retry_after_sent(context: CheckRuntime) -> Verdict:
    retry = context.contract.retry
    assert retry is not None
    provoked = (
        _provoke_429s(context)
        if 429 in retry.retry_on
        else _Provoked(refusals=(), notes=("429 is not in retry_on",))
    )
    notes = list(provoked.notes)
    if 503 in retry.retry_on:
        notes.append("503 not judged: a server sends it when overloaded, it cannot be provoked")
    data: dict[str, Any] = {
        "judged": [
            {"operation": operation, "status": response.status_code,
             "retry_after": response.headers.get("Retry-After")}
            for operation, response in provoked.refusals
        ],
        "not_judged": notes,
    }  # fmt: skip
    if not provoked.refusals:
        return inconclusive("no 429 to judge: " + "; ".join(notes), data=data)
    missing = [
        (operation, response)
        for operation, response in provoked.refusals
        if parse_retry_after(response.headers.get("Retry-After")) is None
    ]
    if missing:
        shown = "; ".join(f"{operation} -> {r.status_code}" for operation, r in missing[:5])
        raise CheckFailure(
            f"{len(missing)} of {len(provoked.refusals)} provoked 429 responses carry no valid "
            f"Retry-After, though the retry policy honours it (contract {retry.loc}): {shown}. "
            "Send Retry-After (seconds or an HTTP-date) with them",
            evidence=tuple(
                response_excerpt(r, context.secrets(), limit=400) for _, r in missing[:3]
            ),
            data=data,
        )
    waits = ", ".join(
        f"{operation}: {response.headers.get('Retry-After')}"
        for operation, response in provoked.refusals
    )
    return Verdict(
        message=f"{len(provoked.refusals)} provoked 429(s) carried Retry-After ({waits})",
        data=data,
    )


def _provoke_429s(context: CheckRuntime) -> _Provoked:
    """One bounded probe per declared window limit, each until its first 429."""
    refusals: list[tuple[str, httpx.Response]] = []
    notes: list[str] = []
    probed: set[str] = set()
    for rule in context.contract.rate_limits:
        if not (rule.limit and rule.window_s):
            continue
        refused = probe_refusal(context.target, rule, probe_large=context.settings.probe_large)
        operation = probe_operation(context.contract, rule)
        if operation in probed:
            continue  # one 429 per operation is enough
        if refused or operation is None:
            notes.append(refused or f"{rule.loc}: no GET without parameters to probe with")
            continue
        probed.add(operation)
        client = context.client(retry=False, throttle=False)  # every 429 as it is
        with enforcing(context, rule.window_s):
            probe = until_refused(client, operation, budget=rule.limit + 2)
        if probe.refusal is None:
            notes.append(f"{operation}: no 429 after {probe.sent} requests (ratelimit judges that)")
        else:
            refusals.append((operation, probe.refusal))
    if not refusals and not notes:
        notes.append("no window rate limit is declared, so no 429 can be provoked")
    return _Provoked(refusals=tuple(refusals), notes=tuple(dict.fromkeys(notes)))
