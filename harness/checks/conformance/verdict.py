"""A finished conformance check's verdict: passed only on what its examples exercised.

A run whose answers were all refusals, or that never reached a documented 2xx, did not
exercise the claim: it is skipped with the reason and what would fix it. Failures found on
the way (the shrunk one, and each distinct explicit one) become one ``CheckFailure``.
"""

from __future__ import annotations

from schemathesis import GenerationMode

from harness.checks.base import CheckRuntime, Verdict
from harness.checks.conformance.evidence import (
    SentCase,
    describe_failure,
    failure_kinds,
    failure_titles,
)
from harness.checks.conformance.run import OperationRun
from harness.checks.operations import is_token_endpoint
from harness.contract.contract import Operation
from harness.errors import CheckFailure
from harness.results import Outcome


def judge(context: CheckRuntime, operation: Operation, run: OperationRun) -> Verdict:
    """Passed only when the examples exercised the claim; skipped (with why) otherwise."""
    reached, mode = run.reached, run.mode
    data = {
        **reached.data(),
        **{k: round(v, 4) for k, v in run.timing.items()},
        "mode": mode.value,
        "unsendable": run.unsendable,
    }
    label = operation.label
    if reached.count == 0:
        return skipped(f"{label}: no {mode.value} example was sent", run)
    positive = mode is GenerationMode.POSITIVE  # negative cases may break credentials on purpose
    if positive and reached.auth_broke() and not run.token_endpoint:
        return Verdict(
            outcome=Outcome.ERROR,
            message=f"{label}: the credentials stopped working mid-run: answers were 2xx, "
            f"then only 401/403 ({reached.breakdown()}); nothing after that was judged",
            data=data,
        )
    if reached.only_refusals() and not is_token_endpoint(context.contract, operation):
        return skipped(
            f"{label}: every answer refused the credentials ({reached.breakdown()}): "
            f"{_refusal_hint(context)}",
            run,
        )
    if mode is GenerationMode.NEGATIVE:
        gap = (
            f"; {run.noted} refused with a status the document does not declare (the sandbox "
            "notes it: declare the 4xx answers of this operation)"
            if run.noted
            else ""
        )
        return Verdict(
            message=f"{label}: {reached.count} negative examples answered as documented "
            f"({reached.breakdown()}){gap}",
            data={**data, "undocumented_refusals": run.noted},
        )
    if reached.successes == 0 and _documents_success(operation):
        return skipped(f"{label}: {reached.summary()}: {_no_success_hint(run)}", run)
    return Verdict(
        message=f"{label}: {reached.count} positive examples conform; {reached.summary()}",
        data=data,
    )


def skipped(message: str, run: OperationRun) -> Verdict:
    """Nothing exercised the claim: skipped, with what was reached."""
    data = {**run.reached.data(), "mode": run.mode.value, "unsendable": run.unsendable}
    return Verdict(outcome=Outcome.SKIPPED, message=message, data=data)


def raise_failure(
    context: CheckRuntime, operation: Operation, run: OperationRun, exc: BaseException | None
) -> None:
    """One CheckFailure with the shrunk failure (if any) and each distinct explicit one."""
    found: list[tuple[BaseException, SentCase | None]] = list(run.findings)
    if exc is not None:
        if failure_titles(exc) is None:
            raise exc
        found.insert(0, (exc, run.last))
    seen: set[tuple[str, ...]] = set()
    parts: list[str] = []
    kinds: list[str] = []
    for error, sent in found:
        key = tuple(failure_kinds(error))
        if key in seen:
            continue
        seen.add(key)
        kinds += key
        parts.append(describe_failure(context, operation, sent, failure_titles(error) or []))
    message = "\n\n".join(parts) + f"\nReached:   {run.reached.summary()}"
    data = {**run.reached.data(), "mode": run.mode.value, "findings": kinds}
    first = found[0][1]
    evidence = first.evidence(context) if first else ()
    raise CheckFailure(message, evidence=evidence, data=data) from None


def _refusal_hint(context: CheckRuntime) -> str:
    earlier = [e for e in context.exchanges() if e.status is not None and 200 <= e.status < 300]
    if earlier:
        return (
            f"the run's credentials were accepted earlier ({len(earlier)} 2xx answers); unless "
            "this operation takes other credentials, they broke mid-run (revoked, expired, or "
            "deleted by a destructive operation)"
        )
    return "check the credentials of this environment"


def _no_success_hint(run: OperationRun) -> str:
    only = run.reached.single_status()
    same = f"every answer was {only}" if only is not None else "no documented 2xx was reached"
    if run.token_endpoint:
        return f"{same}; generated client credentials are refused, as they must be"
    if run.creator is None:
        return f"{same}; no OpenAPI link from a create operation fills its path parameters"
    if run.reached.known == 0:
        return f"{same}; {run.creator.operation_id} created nothing harness could use"
    return same


def _documents_success(operation: Operation) -> bool:
    responses = operation.definition.get("responses") or {}
    return any(str(code).startswith("2") for code in responses)
