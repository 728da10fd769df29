"""The shipped JSON Schema and the model must describe the same format."""

from __future__ import annotations

import dataclasses
import typing

import jsonschema
import pytest

from harness.contract import Contract, format_schema, model

TOP_LEVEL = [
    "harness", "info", "type", "pattern", "environments", "config", "auth", "api",
    "workflows", "mappings", "errors", "retry", "rate_limits", "webhooks", "health",
    "performance", "security", "maintenance", "support", "costs", "migration", "changelog",
    "safety", "pacts",
]  # fmt: skip

# Schema section ($defs name) → model class; the keys of one must be the fields of the other.
SECTIONS = {
    "info": model.Info,
    "pattern": model.Pattern,
    "config_option": model.ConfigOption,
    "api": model.Api,
    "workflows": model.Workflows,
    "error_code": model.ErrorCode,
    "trigger": model.Trigger,
    "retry": model.Retry,
    "rate_limit": model.RateLimit,
    "health": model.Health,
    "performance": model.Performance,
    "security": model.Security,
    "maintenance_task": model.MaintenanceTask,
    "support": model.Support,
    "costs": model.Costs,
    "migration": model.Migration,
    "changelog_entry": model.ChangelogEntry,
    "validation_rules": model.ValidationRules,
    "safety": model.Safety,
    "operation_selector": model.OperationSelector,
}


def test_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(format_schema())


def test_top_level_keys_are_exactly_the_guide_sections() -> None:
    assert list(format_schema()["properties"]) == TOP_LEVEL


def test_every_top_level_section_is_a_contract_field() -> None:
    fields = {f.name for f in dataclasses.fields(Contract)}
    assert set(TOP_LEVEL) - {"harness"} <= fields


@pytest.mark.parametrize("section", sorted(SECTIONS))
def test_section_keys_match_model_fields(section: str) -> None:
    schema_keys = set(format_schema()["$defs"][section]["properties"])
    cls = SECTIONS[section]
    model_keys = {f.name for f in dataclasses.fields(cls)} - {"loc"}
    assert schema_keys == model_keys


def test_every_model_class_is_frozen_and_located() -> None:
    for cls in SECTIONS.values():
        params = cls.__dataclass_params__  # type: ignore[attr-defined]
        assert params.frozen
        assert "loc" in typing.get_type_hints(cls)


def test_auth_types_and_signature_schemes_are_the_documented_ones() -> None:
    defs = format_schema()["$defs"]
    assert set(defs["auth"]["properties"]["type"]["enum"]) == {t.value for t in model.AuthType}
    schemes = defs["webhooks"]["properties"]["signature"]["properties"]["scheme"]["enum"]
    assert set(schemes) == {s.value for s in model.SignatureSchemeName}
