"""Static mapping claims: coverage (required fields, unmapped fields, types) and the guide's
Field Validation rules compared with the schemas on both sides.

Each function returns plain-language problems (empty: the claim holds) plus, for coverage, the
unmapped fields of each side.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from harness.contract.model import ValidationRules
from harness.mapping.entity import EntityPlan, FieldPlan
from harness.mapping.entity_schema import (
    EntitySchemas,
    property_schema,
    required_fields,
    schema_types,
)

_SAME_TYPE_TRANSFORMS = frozenset({"direct", "upper", "lower", "trim"})
_E164_GOOD, _E164_BAD = "+14155550100", "4155550100"


@dataclass(frozen=True, slots=True, kw_only=True)
class Coverage:
    problems: tuple[str, ...]
    unmapped_ours: tuple[str, ...]
    unmapped_theirs: tuple[str, ...]


def _top(paths: Any) -> set[str]:
    return {path.steps[0] for path in paths if path.steps and isinstance(path.steps[0], str)}


def coverage(plan: EntityPlan, schemas: EntitySchemas) -> Coverage:
    """Required fields have a source; unmapped fields; declared types agree with the schemas."""
    name, loc = plan.name, plan.loc
    filled_theirs = set().union(*(_top(f.theirs) for f in plan.fields))
    filled_ours = set().union(*(_top(f.ours) for f in plan.fields if not f.one_way))
    read_only = schemas.read_only()
    problems = [
        f"{name}: theirs requires '{field}' ({schemas.request_label}) but no field mapping fills "
        f"it (contract {loc}); add a field mapping with theirs: {field}"
        for field in required_fields(schemas.request)
        if field not in filled_theirs and field not in read_only
    ]
    problems += [
        f"{name}: ours requires '{field}' but no field mapping fills it from theirs "
        f"(contract {loc}); map it, or give it a default"
        for field in required_fields(schemas.ours)
        if field not in filled_ours
    ]
    ours_all = set((schemas.ours.get("properties") or {}).keys())
    theirs_all = set((schemas.theirs.get("properties") or {}).keys())
    unmapped_ours = tuple(sorted(ours_all - set().union(*(_top(f.ours) for f in plan.fields))))
    unmapped_theirs = tuple(sorted(theirs_all - filled_theirs))
    if plan.mapping.strict:
        lost = [field for field in unmapped_theirs if field not in read_only]
        problems += [
            f"{name}: strict mapping leaves {side} field(s) unmapped: {', '.join(fields)} "
            f"(contract {loc})"
            for side, fields in (("ours", unmapped_ours), ("theirs", lost))
            if fields
        ]
    problems += [p for field in plan.fields for p in _type_problems(name, field, schemas)]
    return Coverage(
        problems=tuple(problems), unmapped_ours=unmapped_ours, unmapped_theirs=unmapped_theirs
    )


def _type_problems(name: str, field: FieldPlan, schemas: EntitySchemas) -> list[str]:
    if len(field.ours) != 1 or len(field.theirs) != 1:
        return []
    ours = property_schema(schemas.ours, field.ours_text)
    theirs = property_schema(schemas.theirs, field.theirs_text)
    where = f"{name}.{field.ours_text} → {field.theirs_text} ({field.transform.name})"
    problems = []
    if ours is None:
        problems.append(
            f"{where}: ours schema has no field '{field.ours_text}' ({field.mapping.loc})"
        )
    if theirs is None:
        problems.append(
            f"{where}: theirs schema has no field '{field.theirs_text}' ({field.mapping.loc})"
        )
    if ours is None or theirs is None:
        return problems
    ours_types, theirs_types = schema_types(ours) - {"null"}, schema_types(theirs) - {"null"}
    declared = field.mapping.type
    if declared and ours_types and declared not in ours_types | {"number"}:
        problems.append(
            f"{where}: declared type {declared} but ours schema says {'/'.join(sorted(ours_types))}"
            f" ({field.mapping.loc})"
        )
    numbers = {"integer", "number"}
    if (
        field.transform.name in _SAME_TYPE_TRANSFORMS
        and ours_types
        and theirs_types
        and not ours_types & theirs_types
        and not (ours_types & numbers and theirs_types & numbers)
    ):
        problems.append(
            f"{where}: ours is {'/'.join(sorted(ours_types))} but theirs is "
            f"{'/'.join(sorted(theirs_types))}, and {field.transform.name} does not convert "
            f"({field.mapping.loc}); use a converting transform"
        )
    return problems


def rule_problems(name: str, field: FieldPlan, schemas: EntitySchemas) -> list[str]:
    """The field's validation rules: enforced by our schema, and accepted by theirs."""
    rules = field.mapping.validate
    if rules is None or len(field.ours) != 1 or len(field.theirs) != 1:
        return []
    where = f"{name}.{field.ours_text} → {field.theirs_text} ({field.transform.name})"
    ours = property_schema(schemas.ours, field.ours_text) or {}
    theirs = property_schema(schemas.request, field.theirs_text) or property_schema(
        schemas.theirs, field.theirs_text
    )
    loc = rules.loc if rules.loc.line else field.mapping.loc
    problems = [
        f"{where}: ours does not enforce {text} ({loc})" for text in _unenforced(rules, ours)
    ]
    if theirs is not None:
        problems += [f"{where}: {text} ({loc})" for text in _narrower(rules, theirs)]
    return problems


def _unenforced(rules: ValidationRules, schema: Mapping[str, Any]) -> list[str]:
    """Rules our schema lets through (values breaking them would reach the vendor)."""
    found = []
    if rules.max_length is not None and _above(schema.get("maxLength"), rules.max_length):
        found.append(f"max_length {rules.max_length} (schema maxLength {schema.get('maxLength')})")
    if rules.min_length is not None and _below(schema.get("minLength"), rules.min_length):
        found.append(f"min_length {rules.min_length} (schema minLength {schema.get('minLength')})")
    if rules.maximum is not None and _above(schema.get("maximum"), rules.maximum):
        found.append(f"maximum {rules.maximum} (schema maximum {schema.get('maximum')})")
    if rules.minimum is not None and _below(schema.get("minimum"), rules.minimum):
        found.append(f"minimum {rules.minimum} (schema minimum {schema.get('minimum')})")
    if rules.pattern is not None and schema.get("pattern") != rules.pattern:
        found.append(f"pattern {rules.pattern!r} (schema pattern {schema.get('pattern')!r})")
    if rules.enum and not set(schema.get("enum") or ()) <= set(rules.enum):
        found.append(f"enum {list(rules.enum)} (schema enum {schema.get('enum')})")
    if rules.format and not _format_enforced(rules.format, schema):
        found.append(f"format {rules.format} (schema has no such format or pattern)")
    return found


def _narrower(rules: ValidationRules, schema: Mapping[str, Any]) -> list[str]:
    """Values the rules allow that theirs rejects: truncated or refused on the way."""
    found = []
    their_max = schema.get("maxLength")
    if rules.max_length is not None and isinstance(their_max, int) and their_max < rules.max_length:
        found.append(
            f"theirs accepts at most {their_max} characters but the rule allows "
            f"{rules.max_length}: longer values would be truncated or rejected; expected theirs "
            f"maxLength >= {rules.max_length}, found {their_max}"
        )
    their_min = schema.get("minLength")
    if rules.min_length is not None and isinstance(their_min, int) and their_min > rules.min_length:
        found.append(f"theirs needs at least {their_min} characters, the rule {rules.min_length}")
    their_maximum = schema.get("maximum")
    if rules.maximum is not None and _below(their_maximum, rules.maximum, missing=False):
        found.append(f"theirs maximum {their_maximum} is below the rule's {rules.maximum}")
    their_minimum = schema.get("minimum")
    if rules.minimum is not None and _above(their_minimum, rules.minimum, missing=False):
        found.append(f"theirs minimum {their_minimum} is above the rule's {rules.minimum}")
    return found


def _above(value: Any, limit: float, *, missing: bool = True) -> bool:
    return missing if not isinstance(value, int | float) else value > limit


def _below(value: Any, limit: float, *, missing: bool = True) -> bool:
    return missing if not isinstance(value, int | float) else value < limit


def _format_enforced(rule: str, schema: Mapping[str, Any]) -> bool:
    if schema.get("format") == rule:
        return True
    pattern = schema.get("pattern")
    if rule == "e164" and isinstance(pattern, str):
        return bool(re.search(pattern, _E164_GOOD)) and not re.search(pattern, _E164_BAD)
    return False
