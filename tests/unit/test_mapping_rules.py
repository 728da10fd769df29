"""Static mapping claims: coverage and validation rules against the schemas on both sides."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.checks.mapping.rules import coverage, rule_problems
from harness.contract import load_contract
from harness.contract.model import EntityMapping, FieldMapping, ValidationRules
from harness.mapping.entity import plan_entity, spec_problems
from harness.mapping.entity_schema import EntitySchemas, inline

OURS = {
    "type": "object",
    "required": ["name", "age"],
    "properties": {
        "name": {"type": "string", "maxLength": 80},
        "age": {"type": "integer"},
        "phone": {"type": "string", "pattern": r"^\+[1-9]\d{1,14}$"},
        "note": {"type": "string"},
    },
}
THEIRS = {
    "type": "object",
    "required": ["full_name", "vat"],
    "properties": {
        "id": {"type": "string", "readOnly": True},
        "full_name": {"type": "string", "maxLength": 40},
        "age": {"type": "string"},
        "phone": {"type": "string"},
        "vat": {"type": "string"},
    },
}
SCHEMAS = EntitySchemas(ours=OURS, theirs=THEIRS, request=THEIRS, request_label="Person")


def _entity(*fields: FieldMapping, strict: bool = False) -> EntityMapping:
    return EntityMapping(name="person", ours="o", theirs="t", fields=fields, strict=strict)


def test_coverage_finds_unfilled_required_fields_and_type_clashes() -> None:
    plan = plan_entity(
        _entity(
            FieldMapping(ours=("name",), theirs=("full_name",)),
            FieldMapping(ours=("age",), theirs=("age",)),
        )
    )
    found = coverage(plan, SCHEMAS)
    text = "\n".join(found.problems)
    assert "theirs requires 'vat'" in text
    assert "ours is integer but theirs is string, and direct does not convert" in text
    assert found.unmapped_ours == ("note", "phone")
    assert found.unmapped_theirs == ("id", "phone", "vat")


def test_strict_lists_unmapped_fields_but_not_read_only_ones() -> None:
    plan = plan_entity(_entity(FieldMapping(ours=("name",), theirs=("full_name",)), strict=True))
    text = "\n".join(coverage(plan, SCHEMAS).problems)
    assert "strict mapping leaves ours field(s) unmapped: age, note, phone" in text
    assert "theirs field(s) unmapped: age, phone, vat" in text


def test_rules_enforced_by_ours_and_accepted_by_theirs() -> None:
    name = FieldMapping(
        ours=("name",), theirs=("full_name",), validate=ValidationRules(max_length=80)
    )
    phone = FieldMapping(
        ours=("phone",), theirs=("phone",), validate=ValidationRules(format="e164")
    )
    note = FieldMapping(ours=("note",), theirs=("phone",), validate=ValidationRules(format="email"))
    plan = plan_entity(_entity(name, phone, note))
    problems = [p for field in plan.fields for p in rule_problems("person", field, SCHEMAS)]
    assert len(problems) == 2
    assert "theirs accepts at most 40 characters but the rule allows 80" in problems[0]
    assert "ours does not enforce format email" in problems[1]


def test_inline_keeps_siblings_and_converts_openapi_30_nullable() -> None:
    root = {"components": {"schemas": {"Id": {"type": "string"}}}}
    schema = {"properties": {"id": {"$ref": "#/components/schemas/Id", "readOnly": True},
                             "n": {"type": "integer", "nullable": True}}}  # fmt: skip
    assert inline(schema, root, openapi_30=True) == {
        "properties": {
            "id": {"type": "string", "readOnly": True},
            "n": {"type": ["integer", "null"]},
        }
    }


def test_spec_problems_point_at_the_field_line(tmp_path: Path) -> None:
    (tmp_path / "o.json").write_text('{"type": "object"}')
    (tmp_path / "integration.yaml").write_text(
        "harness: 1\ninfo: {id: x, name: X, version: '1'}\ntype: [rest]\n"
        "environments:\n  local: {}\nmappings:\n  deal:\n    ours: o.json\n    theirs: o.json\n"
        "    fields:\n      - {ours: a, theirs: b, transform: money}\n"
    )
    problems = spec_problems(load_contract(str(tmp_path)))
    assert len(problems) == 1
    assert problems[0].location.line == 11
    assert "needs 'currency'" in problems[0].message


def test_a_bad_spec_fails_every_check_of_its_entity(tmp_path: Path) -> None:
    from harness.checks.mapping import entities as mapping
    from harness.errors import CheckFailure

    test_spec_problems_point_at_the_field_line(tmp_path)
    contract = load_contract(str(tmp_path))
    checks = mapping.plan(contract)
    assert len(checks) == 5
    for check in checks:
        with pytest.raises(CheckFailure) as caught:
            check.run(None)  # type: ignore[arg-type]  # fails before it touches the context
        assert "mapping deal.a: money: needs 'currency'" in str(caught.value)
        assert "integration.yaml:11:9" in str(caught.value)
