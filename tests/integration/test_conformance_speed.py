"""Conformance on the local acme-crm sandbox: what the faster paths must not change.

A resource created to reach a 2xx gets a fresh idempotency key, so a generated key that
Hypothesis repeats (``"0"``) cannot make the server replay an earlier create (whose id
may have been deleted since) and harness blame the target for a "vanished" resource.
Explicit cases sent several at a time are judged in the order Schemathesis lists them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from schemathesis import GenerationMode
from schemathesis.generation.hypothesis.examples import generate_many

from harness.checks.conformance.cases import send_case
from harness.checks.conformance.phases import coverage_cases
from harness.checks.conformance.resources import creator_for
from harness.checks.conformance.run import OperationRun
from harness.checks.conformance.schema import schemathesis_schema
from harness.contract import load_contract
from harness.runner import Context, ContractRun
from harness.settings import RunSettings

CONTRACT = Path(__file__).parents[2] / "contracts" / "acme-crm"
REPEATED_KEY = {"Idempotency-Key": "0"}


@pytest.fixture(scope="module")
def context() -> Iterator[Context]:
    run = ContractRun(load_contract(CONTRACT), RunSettings(seed=1))
    try:
        yield Context(run=run, check_id="acme-crm::conformance::getContact")
    finally:
        run.close()


def _bodies(context: Context, count: int) -> list[Any]:
    create = schemathesis_schema(context).find_operation_by_id("createContact")
    cases = generate_many(create.as_strategy(generation_mode=GenerationMode.POSITIVE), 10)
    return [case.body for case in cases[-count:]]


def _run(context: Context, operation_id: str, mode: GenerationMode) -> OperationRun:
    operation = context.contract.operation(operation_id)
    return OperationRun(
        context=context, operation=operation, mode=mode, creator=creator_for(context, operation)
    )


def test_the_sandbox_replays_a_create_with_a_repeated_key(context: Context) -> None:
    create = schemathesis_schema(context).find_operation_by_id("createContact")
    body = _bodies(context, 1)[0]
    answers = [
        send_case(context, create.Case(body=body, headers=dict(REPEATED_KEY))) for _ in range(2)
    ]
    assert [answer.status for answer in answers] == [201, 201]
    ids = [answer.response.json()["external_id"] for answer in answers if answer.response]
    assert ids[0] == ids[1]  # the second create is the first one, replayed


def test_a_known_resource_is_created_with_a_fresh_key(context: Context) -> None:
    schema = schemathesis_schema(context)
    create = schema.find_operation_by_id("createContact")
    run = _run(context, "getContact", GenerationMode.POSITIVE)
    body = _bodies(context, 2)[0]
    created = []
    for _ in range(2):  # the same generated create twice, key included
        case = schema.find_operation_by_id("getContact").Case(path_parameters={"external_id": "x"})
        source = create.Case(body=body, headers=dict(REPEATED_KEY))
        created.append(run.use_known_resource(case, source))
    assert created[0] is not None
    # A fresh key: the second is refused (a duplicate email), never the first one replayed.
    assert created[1] != created[0]


def test_explicit_cases_sent_together_are_judged_in_their_order(context: Context) -> None:
    api = schemathesis_schema(context).find_operation_by_id("listContacts")
    cases = coverage_cases(api, GenerationMode.NEGATIVE)
    run = _run(context, "listContacts", GenerationMode.NEGATIVE)
    assert run.concurrent()  # a live run, invalid requests: several in flight
    run.explicit = {id(case) for case in cases}
    run.send_explicit(cases)
    assert run.reached.count + run.unsendable == len(cases) > 1
    one_by_one = [send_case(context, case).status for case in cases]
    assert run.reached.statuses == one_by_one
