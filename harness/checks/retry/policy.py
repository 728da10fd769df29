"""Family ``retry``: the provider says when to come back, and harness's client obeys the policy.

``retry_after_sent``: the 429s the check provokes itself carry a valid ``Retry-After`` when
``honor_retry_after`` is declared. Per declared window limit it runs the same bounded probe
as ``ratelimit::enforced`` (never more than ``limit + 2`` requests, never against a protected
environment), so its verdict does not depend on which family ran before it, or on running
alone. A 503 cannot be provoked from outside (a server sends it when overloaded), so it is
not judged; with nothing provoked the check is skipped with the reason.

``idempotency_honoured`` (with ``retry.idempotency_header``): a POST sent twice with one
key is answered the same both times (see ``retry_idempotency``).

``client_follows_policy`` (local sandbox only) is a check of harness's own client, not of
the integration (its results carry ``subject: client``): ``HarnessClient`` is driven through
fault sequences (back-off until success, attempts exhausted, a ``Retry-After`` above the
cap, a POST) on a virtual clock, so back-off of seconds costs no wall time, and its attempts
are judged with ``judge_attempt_times`` against the ``Retry-After`` each response carried.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import httpx

from harness.checks.base import Check, CheckRuntime, Subject, Verdict, about_client, inconclusive
from harness.checks.ratelimit.ops import enforcing, probe_operation, raw_client
from harness.checks.ratelimit.probe import probe_refusal, until_refused
from harness.checks.retry.client import drive_scenarios
from harness.checks.retry.idempotency import check_idempotency_honoured
from harness.contract import Contract
from harness.errors import CheckFailure
from harness.transports.ratelimit_headers import parse_retry_after
from harness.transports.scrub import response_excerpt

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
                family="retry",
                name="retry_after_sent",
                run=check_retry_after_sent,
                description="the 429s a bounded probe provokes carry Retry-After",
                loc=retry.loc,
            )
        )
    if retry.idempotency_header:
        checks.append(
            Check(
                family="retry",
                name="idempotency_honoured",
                run=check_idempotency_honoured,
                description=f"a POST retried with the same {retry.idempotency_header} is "
                "answered as the first, not created twice",
                loc=retry.loc,
                mutating=True,
            )
        )
    checks.append(
        Check(
            family="retry",
            name="client_follows_policy",
            run=check_client_follows_policy,
            description=f"harness's client retries as declared ({retry.max_attempts} attempts, "
            f"{retry.backoff} back-off, {retry.jitter} jitter)",
            loc=retry.loc,
            needs_sandbox=True,
            subject=Subject.CLIENT,
        )
    )
    return checks


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
        refused = probe_refusal(context, rule)
        operation = probe_operation(context.contract, rule)
        if operation in probed:
            continue  # one 429 per operation is enough
        if refused or operation is None:
            notes.append(refused or f"{rule.loc}: no GET without parameters to probe with")
            continue
        probed.add(operation)
        with enforcing(context, rule.window_s):
            _, refusal, sent, _ = until_refused(
                raw_client(context), operation, budget=rule.limit + 2
            )
        if refusal is None:
            notes.append(f"{operation}: no 429 after {sent} requests (ratelimit judges that)")
        else:
            refusals.append((operation, refusal))
    if not refusals and not notes:
        notes.append("no window rate limit is declared, so no 429 can be provoked")
    return _Provoked(refusals=tuple(refusals), notes=tuple(dict.fromkeys(notes)))


def check_client_follows_policy(context: CheckRuntime) -> Verdict:
    results = drive_scenarios(context, rng=random.Random(context.seed))  # noqa: S311 - jitter
    data = about_client({name: verdict.message for name, verdict in results.items()})
    if not results:
        return inconclusive(
            "no fault sequence applies: no GET without parameters, or nothing to retry",
            data=data,
        )
    failed = {name: verdict for name, verdict in results.items() if not verdict.ok}
    if failed:
        retry = context.contract.retry
        assert retry is not None
        raise CheckFailure(
            f"harness's client breaks the retry policy (contract {retry.loc}):\n"
            + "\n".join(f"{name}: {verdict.message}" for name, verdict in failed.items()),
            data=data,
        )
    return Verdict(
        message=f"harness's client: {len(results)} fault sequences handled as declared",
        data=data,
    )
