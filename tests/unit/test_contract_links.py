"""OpenAPI links and example bodies read from the contract's document (acme-crm)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.contract import Contract, load_contract
from harness.contract.links import evaluate, links_from, links_to
from harness.mapping.records import reading_operations

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def contract() -> Contract:
    return load_contract(ROOT / "contracts/acme-crm", environment="local")


def test_links_from_a_creator_name_its_readers(contract: Contract) -> None:
    links = {link.target: link for link in links_from(contract, "createContact")}
    assert set(links) == {"getContact", "updateContact", "deleteContact"}
    assert links["getContact"].status == "201"
    assert links["getContact"].parameters == {"external_id": "$response.body#/external_id"}
    assert [link.source for link in links_to(contract, "getDeal")] == ["createDeal"]
    assert links_from(contract, "getHealth") == []


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("$response.body#/external_id", "ct_1"),
        ("$response.body#/tags/1", "b"),
        ("$response.body#/missing", None),
        ("$response.body", {"external_id": "ct_1", "tags": ["a", "b"]}),
        ("$response.header.location", "/contacts/ct_1"),
        ("$request.path.id", None),
    ],
)
def test_runtime_expressions(expression: str, expected: object) -> None:
    body = {"external_id": "ct_1", "tags": ["a", "b"]}
    assert evaluate(expression, body, {"Location": "/contacts/ct_1"}) == expected


def test_reading_operations_list_the_entity(contract: Contract) -> None:
    assert reading_operations(contract, contract.mappings["contact"]) == [("listContacts", "data")]
    assert reading_operations(contract, contract.mappings["deal"]) == [("listDeals", "data")]
