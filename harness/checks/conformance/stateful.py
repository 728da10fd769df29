"""``conformance::stateful``: sequences that follow the document's OpenAPI links.

Schemathesis builds the state machine from the links (create → read → update → delete);
harness sends each step through its contract-driven client and judges every response with
the same checks as the per-operation examples.
"""

from __future__ import annotations

from typing import Any

import hypothesis
from schemathesis import checks as st_checks

from harness._compat.hypothesis import state_machine_test
from harness._compat.schemathesis import machine_recorder, operation_definition, response_from_httpx
from harness.checks.base import Check, CheckRuntime, Verdict
from harness.checks.conformance.cases import send_case
from harness.checks.conformance.evidence import (
    SentCase,
    describe_failure,
    failure_kinds,
    failure_titles,
)
from harness.checks.conformance.judging import POSITIVE_CHECKS, TargetCrashed
from harness.checks.conformance.reached import Reached
from harness.checks.conformance.schema import schemathesis_schema
from harness.contract import Contract
from harness.errors import CheckFailure
from harness.results import Outcome
from harness.transports.client import RequestNotSendable

STEPS_PER_SEQUENCE = 6
#: Each step's own checks, plus what only a sequence can show: a resource just created
#: that cannot be found, a deleted one that still can.
SEQUENCE_CHECKS = (
    *POSITIVE_CHECKS,
    st_checks.ensure_resource_availability,
    st_checks.use_after_free,
)


def plan(contract: Contract) -> list[Check]:
    if contract.document is None or not _has_links(contract.document.raw):
        return []
    return [
        Check(
            family="conformance",
            name="stateful",
            run=check_stateful,
            description="sequences that follow the OpenAPI links get documented answers",
            loc=contract.api.loc if contract.api else contract.loc,
            mutating=True,
            fuzzing=True,
        )
    ]


def _has_links(raw: Any) -> bool:
    for item in (raw.get("paths") or {}).values():
        for operation in item.values() if isinstance(item, dict) else ():
            responses = operation.get("responses", {}) if isinstance(operation, dict) else {}
            if any(isinstance(r, dict) and r.get("links") for r in responses.values()):
                return True
    return False


def check_stateful(context: CheckRuntime) -> Verdict:
    """Run link-following sequences; a violation fails with the step that broke."""
    schema = schemathesis_schema(context)
    excluded = context.contract.excluded_operations(context.target.environment.name)
    if excluded:  # the contract's safety section: operations fuzzing must not send here
        schema = schema.exclude(operation_id=list(excluded))
    steps: list[str] = []
    last: dict[str, SentCase] = {}
    reached = Reached()

    class Machine(schema.as_state_machine()):  # type: ignore[misc]
        def call(self, case: Any, **kwargs: Any) -> Any:
            try:
                sent = send_case(context, case)
            except RequestNotSendable:
                hypothesis.reject()  # harness's client limitation, not the target's
            last["sent"] = sent
            steps.append(case.operation.label)
            reached.add(sent.status)
            if sent.response is None:
                raise TargetCrashed(
                    "the server closed the connection instead of answering this step "
                    f"({sent.error}): a crash on this input"
                )
            return response_from_httpx(sent.response)

        def validate_response(self, response: Any, case: Any, *args: Any, **kwargs: Any) -> None:
            # The recorder lets the sequence checks look up the step that created a resource.
            recorder = machine_recorder(self)
            case.validate_response(response, checks=list(SEQUENCE_CHECKS), recorder=recorder)

    settings = hypothesis.settings(
        parent=hypothesis.settings.get_profile("default"),  # not the ambient profile
        max_examples=max(context.settings.examples // 2, 1),
        stateful_step_count=STEPS_PER_SEQUENCE,
        database=None,
        deadline=None,
        suppress_health_check=list(hypothesis.HealthCheck),
        verbosity=hypothesis.Verbosity.quiet,
    )
    test = hypothesis.seed(context.seed)(state_machine_test(Machine, settings))
    try:
        test()
    except (Exception, BaseExceptionGroup) as exc:
        titles = failure_titles(exc)
        sent = last.get("sent")
        if titles is None or sent is None:
            raise
        operation = context.contract.operation(_operation_id(sent))
        message = describe_failure(context, operation, sent, titles)
        raise CheckFailure(
            f"{message}\nSteps:     {' → '.join(steps[-STEPS_PER_SEQUENCE:])}",
            evidence=sent.evidence(context),
            data={"steps": len(steps), **reached.data(), "findings": failure_kinds(exc)},
        ) from None
    data = {"steps": len(steps), **reached.data()}
    if not steps:
        return Verdict(
            outcome=Outcome.SKIPPED, message="no link-following step could be sent", data=data
        )
    if reached.successes == 0:
        return Verdict(
            outcome=Outcome.SKIPPED,
            message=f"{len(steps)} link-following steps sent but none reached 2xx "
            f"({reached.breakdown()}): no link was ever followed from a real resource",
            data=data,
        )
    return Verdict(
        message=f"{len(steps)} link-following steps conform; {reached.summary()}", data=data
    )


def _operation_id(sent: SentCase) -> str:
    definition = operation_definition(sent.case.operation)
    return str(definition.get("operationId") or sent.case.operation.label)
