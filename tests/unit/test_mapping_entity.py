"""Whole-entity mapping: both directions, multi-field money, nulls, comparisons, spec problems."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.contract.model import EntityMapping, FieldMapping
from harness.mapping.entity import (
    Direction,
    FieldMappingError,
    difference,
    map_backward,
    map_forward,
    plan_entity,
    same_value,
)
from harness.mapping.errors import TransformSpecError

DEAL = EntityMapping(
    name="deal",
    ours="ours.json",
    theirs="theirs.json",
    fields=(
        FieldMapping(ours=("title",), theirs=("name",)),
        FieldMapping(
            ours=("amountCents", "currency"), theirs=("amount", "currency"), transform="money"
        ),
        FieldMapping(
            ours=("stage",),
            theirs=("status",),
            transform="enum",
            options={"values": {"open": "OPEN", "won": "CLOSED_WON"}},
        ),
        FieldMapping(ours=("closeDate",), theirs=("close_date",), transform="date"),
        FieldMapping(ours=("createdAt",), theirs=("meta.created",), transform="iso8601"),
    ),
)


def test_forward_and_backward() -> None:
    plan = plan_entity(DEAL)
    ours = {
        "title": "T",
        "amountCents": 1250,
        "currency": "JPY",
        "stage": "won",
        "closeDate": None,
        "createdAt": "2026-03-01T10:00:00+05:30",
    }
    theirs = map_forward(plan, ours)
    assert theirs == {
        "name": "T",
        "amount": "1250",
        "currency": "JPY",
        "status": "CLOSED_WON",
        "close_date": None,
        "meta": {"created": "2026-03-01T10:00:00+05:30"},
    }
    assert map_backward(plan, theirs) == ours


def test_absent_fields_are_not_written() -> None:
    assert map_forward(plan_entity(DEAL), {"title": "T"}) == {"name": "T"}


def test_a_field_that_will_not_map_names_itself() -> None:
    with pytest.raises(FieldMappingError) as caught:
        map_forward(plan_entity(DEAL), {"stage": "lost"})
    assert caught.value.field.theirs_text == "status"
    assert caught.value.direction is Direction.FORWARD


@given(st.integers(-(10**12), 10**12), st.sampled_from(["USD", "JPY", "KWD"]))
def test_money_round_trip(cents: int, currency: str) -> None:
    plan = plan_entity(DEAL)
    ours = {"amountCents": cents, "currency": currency}
    assert map_backward(plan, map_forward(plan, ours)) == ours


def test_python_option_selects_the_python_transform() -> None:
    mapping = FieldMapping(ours=("a",), theirs=("b",), options={"python": "json:dumps"})
    plan = plan_entity(EntityMapping(name="x", ours="o", theirs="t", fields=(mapping,)))
    assert plan.fields[0].transform.name == "python"
    assert plan.fields[0].one_way


def test_bad_spec_raises() -> None:
    mapping = FieldMapping(ours=("a",), theirs=("b",), transform="iso8610")
    with pytest.raises(TransformSpecError):
        plan_entity(EntityMapping(name="x", ours="o", theirs="t", fields=(mapping,)))


def test_comparisons() -> None:
    assert same_value("2026-03-01T10:00:00Z", "2026-03-01T10:00:00+00:00")
    assert not same_value("2026-03-01T10:00:00+05:30", "2026-03-01T04:30:00Z")
    assert difference("2026-03-01T10:00:00+05:30", "2026-03-01T04:30:00Z") == "offset lost"
    assert difference(1200, 12) == "off by a factor of 100"
    assert difference(1234, 12) == "changed"
    assert same_value(["12.5", "USD"], ["12.50", "USD"], amounts=True)
    assert not same_value("12.5", "12.50")
