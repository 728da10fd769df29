"""The pact harness writes for acme-crm: which interactions, states, matching rules, and no
secret in it. Pure: the pact is built with pact-python and read back as JSON."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from harness import load_contract
from harness.checks.pact import plan
from harness.contract import Contract
from harness.pact.build import pact_of, write_pact
from harness.pact.expected import Expected, expected_interactions
from harness.pact.export import export_pact
from harness.pact.states import STATE_PATH, TOKEN_STATE, resource_state, singular
from harness.pact.verify import mismatch_lines, read_interactions
from harness.results import Outcome

ACME = Path(__file__).parents[2] / "contracts" / "acme-crm"
CONTACT_ID = "ct_01JB8Z6X4M2Q9R7T5V3W1Y0A8C"


@pytest.fixture(scope="module")
def contract() -> Contract:
    return load_contract(ACME)


@pytest.fixture(scope="module")
def pact(contract: Contract, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = export_pact(contract, tmp_path_factory.mktemp("pacts"))
    assert path.name == "acme-crm-integration-acme-crm.json"
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _by_description(pact: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["description"]: item for item in pact["interactions"]}


def test_one_interaction_per_used_operation_and_triggerable_error(pact: dict[str, Any]) -> None:
    assert sorted(_by_description(pact)) == [
        "ERR_001: createContact returns 400",
        "ERR_002: createContact returns 409",
        "ERR_003: createDeal returns 422",
        "ERR_401: listContacts returns 401",
        "ERR_404: getContact returns 404",
        "createContact returns 201",
        "createDeal returns 201",
        "getContact returns 200",
        "getDeal returns 200",
        "getHealth returns 200",
        "listContacts returns 200",
        "listDeals returns 200",
        "updateContact returns 200",
    ]  # ERR_429 is untriggerable; deleteContact and patchContact are not used by the contract


def test_written_by_pact_python_as_v4(pact: dict[str, Any]) -> None:
    assert pact["metadata"]["pactSpecification"]["version"] == "4.0"
    assert "pactRust" in pact["metadata"]  # pact-python's FFI wrote it, not our own JSON
    assert pact["consumer"]["name"] == "acme-crm-integration"
    assert pact["provider"]["name"] == "acme-crm"


def test_states_name_what_the_provider_must_hold(pact: dict[str, Any]) -> None:
    states = _by_description(pact)["getContact returns 200"]["providerStates"]
    assert [s["name"] for s in states] == [TOKEN_STATE, f"contact {CONTACT_ID} exists"]
    assert states[1]["params"]["path"] == f"/contacts/{CONTACT_ID}"
    assert states[1]["params"]["fields"]["email"] == "ada@example.com"
    deal = _by_description(pact)["createDeal returns 201"]["providerStates"]
    assert f"contact {CONTACT_ID} exists" in [s["name"] for s in deal]  # its contact_id
    duplicate = _by_description(pact)["ERR_002: createContact returns 409"]["providerStates"]
    assert duplicate[1]["params"]["fields"]["email"] == "dup@example.com"


def test_token_comes_from_the_provider_state_never_from_the_pact(pact: dict[str, Any]) -> None:
    request = _by_description(pact)["getContact returns 200"]["request"]
    generator = request["generators"]["header"]["Authorization"]
    assert generator == {"type": "ProviderState", "expression": "Bearer ${access_token}"}
    unauthorised = _by_description(pact)["ERR_401: listContacts returns 401"]
    assert "Authorization" not in unauthorised["request"].get("headers", {})
    assert unauthorised["providerStates"] == [] if "providerStates" in unauthorised else True


def test_matching_rules_come_from_the_schemas(pact: dict[str, Any]) -> None:
    rules = _by_description(pact)["getContact returns 200"]["response"]["matchingRules"]["body"]
    assert rules["$.external_id"]["matchers"][0]["regex"] == "^ct_[0-9A-HJKMNP-TV-Z]{26}$"
    assert rules["$.created_date"]["matchers"][0]["match"] == "regex"  # format: date-time
    assert rules["$.full_name"]["matchers"][0]["match"] == "type"
    page = _by_description(pact)["listContacts returns 200"]["response"]["matchingRules"]
    assert page["body"]["$.data"]["matchers"][0] == {"match": "type", "min": 1}


def test_error_code_is_literal(pact: dict[str, Any]) -> None:
    response = _by_description(pact)["ERR_404: getContact returns 404"]["response"]
    assert response["body"]["content"]["error"]["code"] == "ERR_404"
    assert "$.error.code" not in response["matchingRules"]["body"]
    assert response["status"] == 404


def test_no_secret_reaches_a_pact(contract: Contract, tmp_path: Path) -> None:
    secret = "s3cr3t-value-from-env-1234"
    leaky = Expected(
        description="a request carrying a secret",
        operation="createContact",
        method="POST",
        path="/contacts",
        headers={"X-Api-Key": secret},
        body={"full_name": "Ada", "client_secret": "other-credential", "note": secret},
        media_type="application/json",
        status=201,
        loc=contract.loc,
    )
    path = write_pact(pact_of("us", "them", [leaky], secrets={secret}), tmp_path, {secret})
    text = path.read_text()
    assert secret not in text
    assert "other-credential" not in text  # credential fields go by name


def test_recorded_bodies_shape_the_examples(contract: Contract, tmp_path: Path) -> None:
    cassettes = ACME.parents[1] / "cassettes" / "acme-crm"
    path = export_pact(contract, tmp_path, cassettes=cassettes)
    found = {i.description for i in read_interactions(path)}
    assert "getContact returns 200" in found
    recorded = json.loads(path.read_text())
    detail = _by_description(recorded)["ERR_404: getContact returns 404"]["response"]["body"]
    assert detail["content"]["instance"].startswith("/contacts/")  # the sandbox's, not the doc's


def test_a_contract_naming_no_operation_expects_them_all() -> None:
    minimal = load_contract(Path(__file__).parents[1] / "targets" / "minimal")
    found = expected_interactions(minimal)
    assert len(found) == len(minimal.document.operations if minimal.document else {})
    assert not any(s.name == TOKEN_STATE for item in found for s in item.states)  # no auth


def test_state_names() -> None:
    assert resource_state("/contacts/ct_1", {}).name == "contact ct_1 exists"
    assert singular("companies") == "company"
    assert STATE_PATH == "/__harness__/pact/states"


def test_mismatch_lines_keep_pacts_words() -> None:
    mismatch = {
        "type": "mismatches",
        "mismatches": [
            {"path": "$.price", "mismatch": "Expected '9.99' (String) to be a number"},
            {"mismatch": "expected 201 but was 200"},
        ],
    }
    assert mismatch_lines(mismatch) == [
        "$.price: Expected '9.99' (String) to be a number",
        "expected 201 but was 200",
    ]
    assert mismatch_lines({"type": "error", "message": "state change failed"}) == [
        "state change failed"
    ]


def test_no_pacts_listed_is_one_skipped_item(contract: Contract) -> None:
    checks = plan(dataclasses.replace(contract, pacts=()))
    assert [check.name for check in checks] == ["pacts"]
    verdict = checks[0].run(None)  # type: ignore[arg-type]  # it reads nothing
    assert verdict is not None
    assert verdict.outcome is Outcome.SKIPPED
    assert "lists no pacts" in verdict.message


def test_the_committed_acme_pact_is_what_export_writes(pact: dict[str, Any]) -> None:
    committed = json.loads((ACME / "pacts" / "acme-crm-integration-acme-crm.json").read_text())
    assert committed["interactions"] == pact["interactions"], (
        "contracts/acme-crm/pacts is stale: run "
        "`harness pact export contracts/acme-crm -o contracts/acme-crm/pacts`"
    )
