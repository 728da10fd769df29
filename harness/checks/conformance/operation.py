"""``conformance::<operationId>``: property-based requests per operation, on Schemathesis.

Schemathesis generates the requests (positive: valid; negative: invalid) and judges each
response with its own checks; harness sends them through its contract-driven client (auth,
headers, timeouts) and turns the shrunk failure into a message that names the operation,
the request, the response, the contract line, the seed and a curl line.
"""

from __future__ import annotations

import time
from functools import partial

import hypothesis
from schemathesis import GenerationMode

from harness.checks.base import Check, CheckRuntime, Verdict
from harness.checks.conformance.cases import credential_parameters
from harness.checks.conformance.resources import creator_for
from harness.checks.conformance.run import OperationRun
from harness.checks.conformance.schema import find_api_operation, schemathesis_schema
from harness.checks.conformance.verdict import judge, raise_failure, skipped
from harness.checks.operations import is_token_endpoint
from harness.contract import Contract
from harness.contract.contract import SAFE_METHODS
from harness.results import Outcome


def plan(contract: Contract) -> list[Check]:
    """Positive and negative examples per operation (stateful.py adds the sequences)."""
    if contract.document is None:
        return []
    checks = []
    for operation in contract.document.operations.values():
        mutating = operation.method not in SAFE_METHODS
        for mode, suffix in (
            (GenerationMode.POSITIVE, ""),
            (GenerationMode.NEGATIVE, "[negative]"),
        ):
            kind = "valid" if mode is GenerationMode.POSITIVE else "invalid"
            checks.append(
                Check(
                    family="conformance",
                    name=operation.operation_id + suffix,
                    run=partial(check_operation, operation_id=operation.operation_id, mode=mode),
                    description=f"{operation.label}: {kind} requests get documented answers",
                    loc=contract.api.loc if contract.api else contract.loc,
                    mutating=mutating,
                    fuzzing=True,
                )
            )
    return checks


def check_operation(context: CheckRuntime, *, operation_id: str, mode: GenerationMode) -> Verdict:
    """Run the operation's examples, coverage cases and fuzzing; fail with the shrunk case."""
    operation = context.contract.operation(operation_id)
    excluded = context.contract.excluded_from_fuzzing(operation, context.target.environment.name)
    if excluded:  # the contract's safety section: never fuzzed here
        return Verdict(outcome=Outcome.SKIPPED, message=f"not fuzzed: {excluded}")
    schema = schemathesis_schema(context)
    api_operation = find_api_operation(schema, operation)
    run = OperationRun(context=context, operation=operation, mode=mode)
    if mode is GenerationMode.POSITIVE:
        run.token_endpoint = is_token_endpoint(context.contract, operation)
        run.credentials = sorted(credential_parameters(api_operation))
    run.creator = creator_for(context, operation)  # negative too: invalid data, real resource
    test, cases = run.build(schema, api_operation)
    started = time.perf_counter()
    try:
        run.send_explicit(cases)
        test()
    except hypothesis.errors.Unsatisfiable:
        if run.findings:  # explicit cases (examples, coverage, method probes) found something
            raise_failure(context, operation, run, None)
        return skipped(f"{operation.label}: no {mode.value} example to send: {_why(run)}", run)
    except (Exception, BaseExceptionGroup) as exc:  # Schemathesis groups failures
        raise_failure(context, operation, run, exc)
    if run.findings:
        raise_failure(context, operation, run, None)
    run.timing["total_s"] = time.perf_counter() - started
    return judge(context, operation, run)


def _why(run: OperationRun) -> str:
    """Why Hypothesis found no example to send."""
    if run.unsendable:
        return f"{run.unsendable} generated requests could not be sent by harness's client"
    if run.mode is GenerationMode.NEGATIVE:
        return "it has no parameter or body that can be made invalid"
    return "Schemathesis could not satisfy its schemas"
