"""The sandbox's pure parts: the OpenAPI dialect, CRUD inference, rate limits, faults, and
the public API of ``harness.sandbox``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import harness.sandbox
from harness import load_contract
from harness.contract.model import RateLimit, RateLimitHeaders
from harness.sandbox.clock import SandboxClock
from harness.sandbox.dialect import Side, translate
from harness.sandbox.faults import Fault, FaultBoard
from harness.sandbox.ratelimit import RateLimiter
from harness.sandbox.resources import Kind, infer_behaviours
from harness.sandbox.spec import Spec

ROOT = Path(__file__).resolve().parents[2]


def test_public_api() -> None:
    assert set(harness.sandbox.__all__) == {
        "ADMIN_PREFIX",
        "REDACTED",
        "Controls",
        "Delivery",
        "Fault",
        "RecordedRequest",
        "Sandbox",
        "SandboxApp",
        "build_app",
        "format_banner",
        "running_sandbox",
        "serve",
    }


# --- dialect -----------------------------------------------------------------------------------


def _document(schema: dict[str, Any]) -> dict[str, Any]:
    return {"openapi": "3.0.3", "components": {"schemas": {"S": schema}}}


def test_nullable_becomes_a_null_type() -> None:
    translated = translate(
        _document({"type": "string", "nullable": True, "enum": ["a"]}), Side.RESPONSE
    )
    assert translated["components"]["schemas"]["S"] == {
        "type": ["string", "null"],
        "enum": ["a", None],
    }
    referenced = translate(_document({"$ref": "#/x", "nullable": True}), Side.RESPONSE)
    assert referenced["components"]["schemas"]["S"] == {
        "anyOf": [{"type": "null"}, {"$ref": "#/x"}]
    }


def test_boolean_exclusive_bounds_become_numbers() -> None:
    schema = {"type": "integer", "minimum": 1, "exclusiveMinimum": True, "exclusiveMaximum": False}
    translated = translate(_document(schema), Side.REQUEST)
    assert translated["components"]["schemas"]["S"] == {"type": "integer", "exclusiveMinimum": 1}


def test_views_drop_read_only_and_write_only_from_required() -> None:
    schema = {
        "type": "object",
        "required": ["id", "secret", "name"],
        "properties": {
            "id": {"type": "string", "readOnly": True},
            "secret": {"$ref": "#/components/schemas/Secret"},
            "name": {"type": "string"},
        },
    }
    document = {
        "openapi": "3.1.0",
        "components": {"schemas": {"S": schema, "Secret": {"type": "string", "writeOnly": True}}},
    }
    assert translate(document, Side.REQUEST)["components"]["schemas"]["S"]["required"] == [
        "secret",
        "name",
    ]
    assert translate(document, Side.RESPONSE)["components"]["schemas"]["S"]["required"] == [
        "id",
        "name",
    ]


def test_examples_are_data_and_left_alone() -> None:
    schema = {"type": "object", "example": {"nullable": True, "type": "x"}}
    assert translate(_document(schema), Side.REQUEST)["components"]["schemas"]["S"] == schema


# --- CRUD inference ----------------------------------------------------------------------------


def test_acme_operations_behave_like_their_resources() -> None:
    contract = load_contract(ROOT / "contracts" / "acme-crm")
    assert contract.document is not None
    behaviours = infer_behaviours(Spec(contract.document.raw), contract)
    kinds = {op_id: b.kind for op_id, b in behaviours.items()}
    assert kinds == {
        "getToken": Kind.ACTION,
        "getHealth": Kind.ACTION,
        "listContacts": Kind.LIST,
        "createContact": Kind.CREATE,
        "getContact": Kind.READ,
        "updateContact": Kind.REPLACE,
        "patchContact": Kind.PATCH,
        "deleteContact": Kind.DELETE,
        "listDeals": Kind.LIST,
        "createDeal": Kind.CREATE,
        "getDeal": Kind.READ,
    }
    contacts = behaviours["createContact"].collection
    assert contacts is not None
    assert (contacts.id_field, contacts.unique, contacts.strict) == (
        "external_id",
        ("email",),
        True,
    )
    assert behaviours["listContacts"].items_field == "data"


def test_petstore_ids_searches_and_usernames() -> None:
    contract = load_contract(ROOT / "tests" / "fixtures" / "petstore")
    assert contract.document is not None
    behaviours = infer_behaviours(Spec(contract.document.raw), contract)
    pets = behaviours["getPetById"].collection
    assert pets is not None
    assert (pets.template, pets.id_field) == ("/pet", "id")
    assert behaviours["findPetsByStatus"].kind is Kind.LIST
    assert behaviours["findPetsByStatus"].collection == pets
    assert behaviours["updatePet"].kind is Kind.REPLACE  # PUT /pet with the id in the body
    users = behaviours["getUserByName"].collection
    assert users is not None
    assert users.id_field == "username"
    assert behaviours["loginUser"].kind is Kind.ACTION


# --- rate limits -------------------------------------------------------------------------------


class FakeTime:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_window_counts_refuses_and_resets() -> None:
    time = FakeTime()
    rule = RateLimit(limit=2, window="10s", headers=RateLimitHeaders.X_RATELIMIT)
    limiter = RateLimiter([rule], SandboxClock(time), limited={"op"})
    assert [limiter.consume("c", "op").allowed for _ in range(3)] == [True, True, False]
    assert limiter.consume("other", "op").allowed  # per client
    assert limiter.consume("c", "unlimited").quota is None
    time.now += 4
    refused = limiter.consume("c", "op")
    assert refused.quota is not None
    assert refused.quota.retry_after_s == 6
    assert refused.quota.headers() == {
        "X-RateLimit-Limit": "2",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": "6",
    }
    time.now += 6
    assert limiter.consume("c", "op").allowed


def test_concurrency_cap_and_enforcement_switch() -> None:
    limiter = RateLimiter([RateLimit(concurrent=1)], SandboxClock(), limited={"op"})
    assert limiter.enter("c", "op")
    assert not limiter.enter("c", "op")
    limiter.enforce = False
    assert limiter.enter("c", "op")
    limiter.reset()
    assert limiter.enforce


# --- faults ------------------------------------------------------------------------------------


def test_fault_board_counts_down_and_filters() -> None:
    board = FaultBoard()
    assert board.take("op") is None
    board.inject(Fault.burst(503, 2, retry_after_s=3, operation="op"))
    board.inject(Fault.latency(50))
    assert board.take("other") == board.take("other")  # only the latency applies
    first = board.take("op")
    assert first is not None
    assert (first.status, first.retry_after_s, first.latency_s) == (
        503,
        3,
        0.05,
    )
    assert board.take("op") is not None
    last = board.take("op")
    assert last is not None
    assert last.status is None
    assert board.active() == [Fault.latency(50)]


def test_fault_json_round_trip() -> None:
    fault = Fault.drop(2, operation="getContact")
    assert Fault.from_json(fault.to_json()) == fault


@pytest.mark.parametrize(
    "data", [{"status": 503, "bogus": 1}, {"status": "x"}, {"count": 0, "status": 500}]
)
def test_bad_fault_json_is_a_usage_error(data: dict[str, Any]) -> None:
    with pytest.raises(harness.UsageError):
        Fault.from_json(data)
