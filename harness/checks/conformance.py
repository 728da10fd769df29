"""Family ``conformance``: property-based requests per operation, built on Schemathesis.

Schemathesis generates the requests (positive: valid; negative: invalid) and judges each
response with its own checks; harness sends them through its contract-driven client (auth,
headers, timeouts) and turns the shrunk failure into a message that names the operation,
the request, the response, the contract line, the seed and a curl line.
"""

from __future__ import annotations

import time
from functools import partial
from typing import Any

import hypothesis
import schemathesis
from schemathesis import GenerationMode
from schemathesis import checks as st_checks

from harness.checks.base import Check, CheckContext, Verdict
from harness.checks.evidence import Exchanged, describe_failure, failure_titles
from harness.contract import Contract
from harness.contract.contract import Operation
from harness.errors import CheckFailure
from harness.results import Family

SAFE_METHODS = frozenset({"get", "head", "options", "trace"})
POSITIVE_CHECKS = (
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_schema_conformance,
    st_checks.response_headers_conformance,
)
NEGATIVE_CHECKS = (
    st_checks.not_a_server_error,
    st_checks.negative_data_rejection,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
)


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
                    family=Family.CONFORMANCE,
                    name=operation.operation_id + suffix,
                    run=partial(check_operation, operation_id=operation.operation_id, mode=mode),
                    description=f"{operation.label}: {kind} requests get documented answers",
                    loc=contract.api.loc if contract.api else contract.loc,
                    mutating=mutating,
                    fuzzing=True,
                )
            )
    return checks


def check_operation(context: CheckContext, *, operation_id: str, mode: GenerationMode) -> Verdict:
    """Run the operation's generated examples; raise CheckFailure with the shrunk case."""
    schema = schemathesis_schema(context)
    api_operation = schema.find_operation_by_id(operation_id)
    operation = context.contract.operation(operation_id)
    checks = POSITIVE_CHECKS if mode is GenerationMode.POSITIVE else NEGATIVE_CHECKS
    last: dict[str, Exchanged] = {}
    timing = {"examples": 0.0, "send_s": 0.0, "validate_s": 0.0}

    def example(case: Any) -> None:
        timing["examples"] += 1
        started = time.perf_counter()
        exchanged = send_case(context, case)
        sent = time.perf_counter()
        last["exchange"] = exchanged
        try:
            case.validate_response(exchanged.response, checks=list(checks))
            if mode is GenerationMode.NEGATIVE:
                _require_declared_error(context, exchanged)
        finally:
            timing["send_s"] += sent - started
            timing["validate_s"] += time.perf_counter() - sent

    test = hypothesis.given(case=api_operation.as_strategy(generation_mode=mode))(example)
    test = hypothesis.seed(context.seed)(test)
    test = _settings(context.settings.examples)(test)
    started = time.perf_counter()
    try:
        test()
    except hypothesis.errors.Unsatisfiable:
        return Verdict(message=f"{operation.label}: no {mode.value} examples can be generated")
    except (Exception, BaseExceptionGroup) as exc:  # Schemathesis groups failures
        _raise_failure(context, operation, last.get("exchange"), exc)
    total = time.perf_counter() - started
    timing["generate_s"] = total - timing["send_s"] - timing["validate_s"]
    count = int(timing["examples"])
    return Verdict(
        message=f"{operation.label}: {count} {mode.value} examples conform",
        data={**{k: round(v, 4) for k, v in timing.items()}, "mode": mode.value, "total_s": total},
    )


def schemathesis_schema(context: CheckContext) -> Any:
    """The contract's OpenAPI document as loaded by Schemathesis (once per run)."""
    return context.shared("schemathesis-schema", partial(_load_schema, context.contract))


def _load_schema(contract: Contract) -> Any:
    assert contract.document is not None  # planned only with a document
    return schemathesis.openapi.from_dict(dict(contract.document.raw))


def _settings(examples: int) -> Any:
    return hypothesis.settings(
        parent=hypothesis.settings.get_profile("default"),  # not the ambient profile
        max_examples=examples,
        database=None,
        deadline=None,
        derandomize=False,
        suppress_health_check=list(hypothesis.HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate, hypothesis.Phase.shrink],
        report_multiple_bugs=False,
        verbosity=hypothesis.Verbosity.quiet,
    )


def send_case(context: CheckContext, case: Any) -> Exchanged:
    """Send a Schemathesis case through the contract-driven client (no retries)."""
    kwargs = case.as_transport_kwargs(base_url=context.target.base_url)
    body: dict[str, Any] = {}
    if "json" in kwargs:
        body["json"] = kwargs["json"]
    data = kwargs.get("data")
    if isinstance(data, (bytes, str)):
        body["content"] = data
    elif data is not None:
        body["data"] = data
    headers = {
        k: v for k, v in kwargs.get("headers", {}).items() if not k.startswith("X-Schemathesis")
    }
    client = context.client(retry=False)
    response = client.request(
        kwargs["method"], kwargs["url"], params=kwargs.get("params") or None,
        headers=headers, cookies=kwargs.get("cookies") or None, **body,
    )  # fmt: skip
    return Exchanged(case=case, response=response)


def _require_declared_error(context: CheckContext, exchanged: Exchanged) -> None:
    """An invalid request must be answered with a declared 4xx error of the contract."""
    response = exchanged.response
    if not 400 <= response.status_code < 500:
        return  # negative_data_rejection reports this with its own message
    declared = [e for e in context.contract.errors if e.status == response.status_code]
    if not context.contract.errors:
        return
    if not declared:
        codes = ", ".join(sorted({f"{e.code}={e.status}" for e in context.contract.errors}))
        raise CheckFailure(
            f"rejected with {response.status_code}, which no declared error has ({codes})"
        )


def _raise_failure(
    context: CheckContext, operation: Operation, exchanged: Exchanged | None, exc: BaseException
) -> None:
    titles = failure_titles(exc)
    if titles is None:
        raise exc
    message = describe_failure(context, operation, exchanged, titles)
    raise CheckFailure(message, evidence=exchanged.evidence(context) if exchanged else ()) from None
