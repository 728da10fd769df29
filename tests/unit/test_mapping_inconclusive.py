"""Mapping checks with nothing to judge end inconclusive (skipped with the reason)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.checks.mapping import entities as mapping
from harness.checks.mapping.examples import NoExamples, run_property
from harness.contract import load_contract
from harness.mapping.entity import plan_entity
from harness.mapping.entity_schema import entity_schemas
from harness.results import INCONCLUSIVE_KEY, Outcome

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def contract():
    return load_contract(ROOT / "contracts/acme-crm", environment="local")


def test_a_schema_nothing_satisfies_has_no_examples() -> None:
    impossible = {"type": "integer", "minimum": 5, "maximum": 1}
    with pytest.raises(NoExamples, match="no instance of the schema could be generated"):
        run_property(impossible, examples=5, seed=1, claim=lambda _: None)


def test_a_satisfiable_schema_counts_its_examples() -> None:
    seen: list[int] = []
    assert run_property({"type": "integer"}, examples=7, seed=1, claim=seen.append) == 7
    assert len(seen) >= 7


def test_an_entity_without_validation_rules_is_inconclusive(contract) -> None:
    deal = contract.mappings["deal"]
    verdict = mapping.check_validation(None, plan_entity(deal), entity_schemas(contract, deal))
    assert verdict.outcome is Outcome.SKIPPED
    assert verdict.data[INCONCLUSIVE_KEY] is True
    assert verdict.message == (
        "inconclusive: deal: no field mapping declares a validate rule; nothing to compare"
    )
    contact = contract.mappings["contact"]
    held = mapping.check_validation(None, plan_entity(contact), entity_schemas(contract, contact))
    assert (held.outcome, held.message) == (
        Outcome.PASSED,
        "contact: 3 field rule(s) hold on both sides",
    )
