"""Workflow inputs: generated from the inputs schema, made unique where the target needs it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.checks.workflows.inputs import Uniquifier, inputs_strategy, unique_inputs
from harness.contract import Contract, load_contract
from harness.workflows import Workflow, workflows_of

ACME = Path(__file__).parents[2] / "contracts" / "acme-crm"


@pytest.fixture(scope="module")
def acme() -> Contract:
    return load_contract(str(ACME))


def _workflow(contract: Contract, workflow_id: str) -> Workflow:
    return next(w for w in workflows_of(contract.arazzo) if w.workflow_id == workflow_id)


@pytest.mark.parametrize("workflow_id", ["contactLifecycle", "dealForContact"])
def test_acme_inputs_are_valid_instances_of_their_schema(acme: Contract, workflow_id: str) -> None:
    schema = dict(_workflow(acme, workflow_id).inputs or {})

    @settings(max_examples=30, database=None, deadline=None)
    @given(inputs_strategy(schema))
    def valid(inputs: dict[str, Any]) -> None:
        jsonschema.validate(inputs, schema)
        assert set(schema["required"]) <= set(inputs)

    valid()


def test_the_email_the_409_trigger_names_is_unique(acme: Contract) -> None:
    assert unique_inputs(acme, _workflow(acme, "dealForContact")) == {"email"}
    assert unique_inputs(acme, _workflow(acme, "contactLifecycle")) == {"email"}


def test_an_input_sent_into_a_conflicting_field_is_unique_whatever_its_format(
    acme: Contract,
) -> None:
    [workflow] = workflows_of(
        {
            "workflows": [
                {
                    "workflowId": "w",
                    "inputs": {"properties": {"mail": {"type": "string"}, "name": {}}},
                    "steps": [
                        {
                            "stepId": "create",
                            "operationId": "createContact",
                            "requestBody": {
                                "payload": {"email": "$inputs.mail", "full_name": "$inputs.name"}
                            },
                        }
                    ],
                }
            ]
        }
    )
    assert unique_inputs(acme, workflow) == {"mail"}


SCHEMA = {
    "properties": {
        "email": {"type": "string", "format": "email"},
        "code": {"type": "string", "x-unique": True, "maxLength": 12},
        "sku": {"type": "string", "x-unique": True, "pattern": "^[A-Z]+$"},
    }
}


def test_each_run_tags_unique_inputs_differently_within_the_schema() -> None:
    tags = Uniquifier(SCHEMA, frozenset({"email", "code", "sku"}), seed=7)
    first = tags.apply({"email": "a@b.co", "code": "abcdefghijkl", "sku": "AB", "n": 1})
    second = tags.apply({"email": "a@b.co", "code": "abcdefghijkl", "sku": "AB", "n": 1})
    assert first == {"email": "a+wfj7gp-1@b.co", "code": "abc-wfj7gp-1", "sku": "AB", "n": 1}
    assert second["email"] == "a+wfj7gp-2@b.co"
    assert second["sku"] == "AB"  # the pattern allows no tag: kept as generated
    again = Uniquifier(SCHEMA, frozenset({"email"}), seed=7).apply({"email": "a@b.co"})
    assert again["email"] == first["email"]  # the same seed, the same values: replay matches


@given(st.emails())
def test_a_tagged_email_stays_an_email(email: str) -> None:
    tagged = Uniquifier(SCHEMA, frozenset({"email"}), seed=123456).apply({"email": email})
    local, _, domain = tagged["email"].rpartition("@")
    assert domain == email.rpartition("@")[2]
    assert 1 <= len(local) <= 64
    assert not local.endswith(".")
    assert "+wfmlk0-1" in local
