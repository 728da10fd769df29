"""The instance generator: deterministic per seed and key, and valid for what it is given."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness import load_contract
from harness.sandbox.dialect import Side
from harness.sandbox.generation import Generator
from harness.sandbox.patterns import string_matching
from harness.sandbox.spec import Spec

ROOT = Path(__file__).resolve().parents[2]


def _spec(schema: Any, version: str = "3.1.0") -> Spec:
    return Spec(
        {"openapi": version, "info": {}, "paths": {}, "components": {"schemas": {"S": schema}}}
    )


def _generated(schema: Any, *, seed: int = 0, version: str = "3.1.0") -> tuple[Spec, Any]:
    spec = _spec(schema, version)
    return spec, Generator(spec, seed=seed).instance("/components/schemas/S", key="k")


@pytest.mark.parametrize("contract_dir", ["contracts/acme-crm", "tests/fixtures/petstore"])
def test_every_component_schema_of_real_documents_gets_a_valid_instance(contract_dir: str) -> None:
    document = load_contract(ROOT / contract_dir).document
    assert document is not None
    spec = Spec(document.raw)
    generator = Generator(spec, seed=5)
    for name in document.raw["components"]["schemas"]:
        pointer = f"/components/schemas/{name}"
        for examples in (True, False):
            value = generator.instance(pointer, key=name, examples=examples)
            assert spec.check(value, pointer, Side.RESPONSE) is None, (name, value)


def test_same_seed_and_key_give_the_same_value_and_other_seeds_differ() -> None:
    schema = {"type": "object", "required": ["a", "b"], "properties": {
        "a": {"type": "string", "pattern": "^[A-Z]{8}$"}, "b": {"type": "integer"}}}  # fmt: skip
    assert _generated(schema, seed=1)[1] == _generated(schema, seed=1)[1]
    assert _generated(schema, seed=1)[1] != _generated(schema, seed=2)[1]


def test_examples_are_used_when_valid_and_skipped_when_not() -> None:
    _, value = _generated({"type": "string", "examples": [12, "from-the-doc"]})
    assert value == "from-the-doc"
    _, value = _generated({"type": "string", "example": 12345})  # petstore's User.password
    assert isinstance(value, str)


def test_openapi_30_nullable_and_exclusive_bounds() -> None:
    schema = {"type": "integer", "minimum": 5, "exclusiveMinimum": True, "maximum": 6}
    spec, value = _generated(schema, version="3.0.3")
    assert value == 6
    spec, value = _generated({"type": "string", "nullable": True, "enum": ["x"]}, version="3.0.3")
    assert value == "x"
    assert spec.is_valid(None, "/components/schemas/S", Side.RESPONSE)


def test_composition_and_references() -> None:
    schema = {
        "allOf": [
            {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}},
            {"type": "object", "required": ["kind"], "properties": {"kind": {"const": "cat"}}},
        ],
    }
    _, value = _generated(schema)
    assert value["kind"] == "cat"
    assert isinstance(value["id"], int)
    _, value = _generated({"oneOf": [{"type": "null"}, {"type": "string", "format": "uuid"}]})
    assert re.fullmatch(r"[0-9a-f-]{36}", value)


@pytest.mark.parametrize(
    "pattern",
    [
        r"^ct_[0-9A-HJKMNP-TV-Z]{26}$",
        r"^\+[1-9]\d{1,14}$",
        r"^-?\d+(\.\d{1,3})?$",
        r"^v1,[A-Za-z0-9+/=]+( v1,[A-Za-z0-9+/=]+)*$",
        r"^(foo|bar)-\1$",
        r"^[^a-z]{2,4}x$",
        r"\w+@\w+\.(com|org)",
    ],
)
def test_patterns_produce_matching_strings(pattern: str) -> None:
    for seed in range(20):
        text = string_matching(pattern, random.Random(seed))
        assert text is not None
        assert re.search(pattern, text), (pattern, text)


def test_unparseable_patterns_give_none() -> None:
    assert string_matching(r"\p{L}+", random.Random(0)) is None


# --- property: whatever simple schema, the instance validates ---------------------------------

_SCALARS = st.one_of(
    st.builds(
        lambda low, extra: {"type": "string", "minLength": low, "maxLength": low + extra},
        st.integers(0, 5),
        st.integers(0, 10),
    ),
    st.sampled_from(["^[a-z]+$", "^[0-9]{3}-[0-9]{2}$", "^(ab|cd)*$"]).map(
        lambda pattern: {"type": "string", "pattern": pattern}
    ),
    st.builds(
        lambda low, span: {"type": "integer", "minimum": low, "maximum": low + span},
        st.integers(-1000, 1000),
        st.integers(0, 50),
    ),
    st.builds(
        lambda low, step: {"type": "number", "minimum": low, "multipleOf": step},
        st.integers(-10, 10),
        st.sampled_from([0.5, 1, 2.5]),
    ),
    st.just({"type": "boolean"}),
    st.sampled_from(
        [{"type": "string", "format": f} for f in ("date-time", "date", "email", "uuid", "uri")]
    ),
    st.lists(
        st.one_of(st.integers(), st.text(max_size=5)), min_size=1, max_size=4, unique=True
    ).map(lambda values: {"enum": values}),
)


def _extend(children: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    objects = st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), children, max_size=4).flatmap(
        lambda props: st.builds(
            lambda required: {"type": "object", "properties": props, "required": required},
            st.lists(st.sampled_from(sorted(props) or ["a"]), unique=True).map(
                lambda names: [n for n in names if n in props]
            ),
        )
    )
    arrays = st.builds(
        lambda items, low: {"type": "array", "items": items, "minItems": low, "maxItems": low + 2},
        children,
        st.integers(0, 3),
    )
    nullable = children.map(lambda s: {"anyOf": [{"type": "null"}, s]})
    return st.one_of(objects, arrays, nullable)


@given(st.recursive(_SCALARS, _extend, max_leaves=8), st.integers(0, 3))
def test_generated_instances_validate(schema: dict[str, Any], seed: int) -> None:
    _, value = _generated(schema, seed=seed)
    validator = jsonschema_rs.validator_for(schema, validate_formats=True)
    assert validator.is_valid(value), (schema, value)
