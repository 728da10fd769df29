"""Each declared error code on its own: provoked as declared, and retryable as the policy says.

``provoked[CODE]`` sends the code's ``trigger`` (``trigger``) and judges status and match
against the error table (``table``); the codes provoked are remembered under
``PROVOKED_KEY`` for ``observed_errors_declared``. ``retryable_agrees_with_retry_policy``
compares the table's ``retryable`` flags with the retry policy's ``retry_on``.
"""

from __future__ import annotations

from typing import Any

from harness.checks.base import CheckRuntime, Verdict
from harness.checks.errors.table import judge_response
from harness.checks.errors.trigger import send_trigger
from harness.errors import CheckFailure
from harness.results import Outcome
from harness.transports.scrub import response_excerpt

#: The codes the run's ``provoked[CODE]`` checks produced (a set, shared by the run).
PROVOKED_KEY = "errors:provoked"


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


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
