"""Family ``errors``: every declared error code is produced as declared, and no other is.

One check per code provokes it with its ``trigger`` and judges status and body match; a
code without a trigger must say why (``untriggerable``). ``retryable`` must agree with the
retry policy. The last check reads every exchange the run recorded so far and reports any
error response that maps to no declared code, with the request that produced it.

Limitation: checks run in collection order, and families in ``FAMILIES`` order, so the
last check sees the exchanges of the families before it (config, auth, health,
conformance and this one) but not those of retry or ratelimit; under pytest-xdist it sees
only the exchanges of its own worker.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from harness.checks.base import Check, CheckRuntime, Verdict
from harness.checks.errors.match import (
    ErrorTable,
    describe_exchange,
    judge_response,
    observed_code,
)
from harness.checks.errors.trigger import send_trigger
from harness.checks.operations import SAFE_METHODS
from harness.contract import Contract
from harness.contract.model import ErrorCode
from harness.errors import CheckFailure
from harness.results import Outcome
from harness.transports.scrub import response_excerpt

PROVOKED_KEY = "errors:provoked"
#: How many undeclared errors the last check lists in its message (all go into its data).
SHOWN = 10


def plan(contract: Contract) -> list[Check]:
    if not contract.errors:
        return []
    checks = [_provoke_check(contract, error) for error in contract.errors]
    checks.append(
        Check(
            family="errors",
            name="retryable_agrees_with_retry_policy",
            run=check_retryable,
            description="every code marked retryable is one the retry policy retries, and back",
            loc=contract.retry.loc if contract.retry else contract.errors[0].loc,
        )
    )
    checks.append(
        Check(
            family="errors",
            name="observed_errors_declared",
            run=check_observed,
            description="every error response seen in the run maps to a declared code",
            loc=contract.errors[0].loc,
        )
    )
    return checks


def _provoke_check(contract: Contract, error: ErrorCode) -> Check:
    mutating = False
    if error.trigger is not None and contract.document is not None:
        operation = contract.document.operations.get(error.trigger.operation)
        mutating = operation is None or operation.method not in SAFE_METHODS
    return Check(
        family="errors",
        name=f"provoked[{error.code}]",
        run=partial(check_provoked, code=error.code),
        description=f"{error.code} is answered with {error.status} when provoked",
        loc=error.trigger.loc if error.trigger else error.loc,
        mutating=mutating,
    )


def check_provoked(context: CheckRuntime, *, code: str) -> Verdict:
    error = next(e for e in context.contract.errors if e.code == code)
    if error.trigger is None:
        if error.untriggerable:
            return Verdict(
                outcome=Outcome.SKIPPED,
                message=f"{code} is declared untriggerable: {error.untriggerable}",
                data={"untriggerable": error.untriggerable},
            )
        raise CheckFailure(
            f"{code} (contract {error.loc}) has no trigger, so it cannot be provoked; add "
            "`trigger: {operation: ..., body: ...}` with a request that produces it, or "
            "`untriggerable: <why>` when no single request can"
        )
    response = send_trigger(context, error.trigger)
    if response is None:
        return Verdict(
            outcome=Outcome.SKIPPED,
            message=f"{code}: trigger auth '{error.trigger.auth}' needs the local sandbox's "
            "controls to expire a token",
        )
    problems = judge_response(error, response.status_code, _json(response), response.headers)
    if problems:
        raise CheckFailure(
            f"{code} trigger (contract {error.trigger.loc}) got: {'; '.join(problems)}",
            evidence=(response_excerpt(response, context.secrets(), limit=600),),
        )
    context.shared(PROVOKED_KEY, set[str]).add(code)
    return Verdict(message=f"{code}: {response.status_code} as declared")


def check_retryable(context: CheckRuntime) -> Verdict:
    contract = context.contract
    retry_on = frozenset(contract.retry.retry_on) if contract.retry else frozenset[int]()
    where = f"retry.retry_on (contract {contract.retry.loc})" if contract.retry else "no retry"
    wrong = [
        f"{e.code} ({e.status}, contract {e.loc}) is "
        + (
            f"marked retryable but {where} does not list {e.status}"
            if e.retryable
            else f"not marked retryable but {where} retries {e.status}"
        )
        for e in contract.errors
        if e.retryable != (e.status in retry_on)
    ]
    if wrong:
        raise CheckFailure(
            "the error table and the retry policy disagree: "
            + "; ".join(wrong)
            + ". Fix `retryable` or `retry_on` so a client retries exactly the retryable codes"
        )
    retryable = [e.code for e in contract.errors if e.retryable]
    return Verdict(message=f"retryable codes agree with retry_on: {', '.join(retryable) or 'none'}")


def check_observed(context: CheckRuntime) -> Verdict:
    table = ErrorTable.of(context.contract)
    provoked: set[str] = set(context.shared(PROVOKED_KEY, set[str]))
    undeclared: list[dict[str, Any]] = []
    seen = 0
    for exchange in context.exchanges():
        if not table.judged(exchange):
            continue
        seen += 1
        code = observed_code(table, exchange)
        if code is not None:
            provoked.add(code)
        else:
            undeclared.append(describe_exchange(table, exchange, context.secrets()))
    data = {
        "declared": [e.code for e in context.contract.errors],
        "provoked": sorted(provoked),
        "untriggerable": {
            e.code: e.untriggerable for e in context.contract.errors if e.untriggerable
        },
        "observed_errors": seen,
        "observed_undeclared": undeclared,
    }
    if undeclared:
        lines = [f"  {item['request']} -> {item['found']}" for item in undeclared[:SHOWN]]
        more = f"\n  … and {len(undeclared) - SHOWN} more" if len(undeclared) > SHOWN else ""
        raise CheckFailure(
            f"{len(undeclared)} error response(s) map to no declared code (errors table, "
            f"contract {context.contract.errors[0].loc}):\n" + "\n".join(lines) + more + "\n"
            "Declare each code in `errors:` (status and match), or fix the server",
            data=data,
        )
    return Verdict(
        message=f"{seen} error response(s) seen, all declared; provoked {len(provoked)} of "
        f"{len(context.contract.errors)} codes",
        data=data,
    )


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
