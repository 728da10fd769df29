"""What ``mapping::<entity>.stored`` accepts as "stored as sent": equal as data, the declared
normal form of what was sent, or (exact transforms) the same value on our side."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.checks.mapping.stored import stored_as_declared
from harness.contract import load_contract
from harness.mapping.entity import EntityPlan, FieldPlan, plan_entity

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def plans() -> dict[str, EntityPlan]:
    contract = load_contract(ROOT / "contracts/acme-crm", environment="local")
    return {name: plan_entity(entity) for name, entity in contract.mappings.items()}


def _field(plan: EntityPlan, theirs: str) -> FieldPlan:
    return next(field for field in plan.fields if field.theirs_text == theirs)


@pytest.mark.parametrize(
    ("sent", "stored", "kept"),
    [
        ("ada@example.com", "ada@example.com", True),
        ("Ada@Example.com", "ada@example.com", True),  # lower is what the mapping declares
        ("ada@example.com", "ADA@EXAMPLE.COM", False),  # upper-casing is not
        ("Ada@Example.com", "Ada@Example.com", True),
        ("ada@example.com", "bob@example.com", False),
    ],
)
def test_lower_allows_only_lower_casing(plans, sent, stored, kept) -> None:
    field = _field(plans["contact"], "email")
    assert stored_as_declared(field, sent, {"email": stored}) is kept


def test_a_dropped_field_is_not_stored(plans) -> None:
    assert not stored_as_declared(_field(plans["contact"], "full_name"), "Ada", {})


def test_money_compares_amounts_as_numbers(plans) -> None:
    field = _field(plans["deal"], "amount, currency")
    sent = ("12500.00", "GBP")
    assert stored_as_declared(field, sent, {"amount": "12500.0", "currency": "GBP"})
    assert not stored_as_declared(field, sent, {"amount": "125.00", "currency": "GBP"})


def test_an_exact_transform_accepts_the_same_value_on_our_side(plans) -> None:
    field = _field(plans["deal"], "close_date")
    assert stored_as_declared(field, "2026-12-31", {"close_date": "2026-12-31"})
    assert not stored_as_declared(field, "2026-12-31", {"close_date": "31/12/2026"})
