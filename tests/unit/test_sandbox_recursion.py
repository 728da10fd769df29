"""Recursive schemas are legal OpenAPI: every walk of the sandbox stays bounded on them.

Direct (a node whose child is a node), indirect (A → B → A), through ``allOf`` (a schema that
is all of itself), through ``items`` (a list of lists) and through ``oneOf``: generation gives
bounded instances (valid where a finite instance exists), and the property walks, request
reading and the app itself neither loop nor recurse without end.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from harness.sandbox.dialect import Side
from harness.sandbox.generation import Generator
from harness.sandbox.resources import object_properties, required_properties
from harness.sandbox.spec import Spec

NODE = {"$ref": "#/components/schemas/Node"}
SCHEMAS: dict[str, dict[str, Any]] = {
    "direct-optional": {
        "type": "object",
        "required": ["name"],
        "properties": {"name": {"type": "string"}, "child": NODE},
    },
    "direct-required": {  # no finite instance exists: generation must still stop
        "type": "object",
        "required": ["child"],
        "properties": {"child": NODE},
    },
    "nullable-required": {
        "type": "object",
        "required": ["next"],
        "properties": {"next": {"oneOf": [{"type": "null"}, NODE]}},
    },
    "indirect": {
        "type": "object",
        "properties": {"other": {"$ref": "#/components/schemas/Other"}},
    },
    "all-of-itself": {"allOf": [NODE, {"type": "object", "properties": {"a": {"type": "string"}}}]},
    "items": {"type": "array", "items": NODE},
    "items-required": {"type": "array", "minItems": 1, "items": NODE},
    "one-of-itself": {"oneOf": [NODE, {"type": "string"}]},
    "any-of-all-of": {"anyOf": [{"allOf": [NODE]}, {"type": "integer"}]},
    "wide-tree": {
        "type": "object",
        "required": ["left", "right"],
        "properties": {
            "left": {"anyOf": [{"type": "null"}, NODE]},
            "right": {"anyOf": [{"type": "null"}, NODE]},
            "children": {"type": "array", "minItems": 2, "items": NODE},
        },
    },
}
FINITE = {"direct-optional", "nullable-required", "indirect", "items", "one-of-itself", "wide-tree"}


def _spec(node: dict[str, Any], version: str = "3.1.0") -> Spec:
    other = {"type": "object", "properties": {"back": NODE}}
    return Spec(
        {
            "openapi": version,
            "info": {"title": "t", "version": "1"},
            "paths": {},
            "components": {"schemas": {"Node": node, "Other": other}},
        }
    )


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_a_recursive_schema_gets_a_bounded_instance(name: str) -> None:
    spec = _spec(SCHEMAS[name])
    value = Generator(spec, seed=3).instance("/components/schemas/Node", key="k")

    assert _depth(value) <= 30
    assert len(json.dumps(value)) < 1_000_000
    if name in FINITE:
        assert spec.is_valid(value, "/components/schemas/Node", Side.RESPONSE), value


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_property_walks_visit_each_schema_once(name: str) -> None:
    spec = _spec(SCHEMAS[name])

    names = [prop for prop, _ in object_properties(spec, "/components/schemas/Node")]
    required = required_properties(spec, "/components/schemas/Node")

    assert len(names) == len(set(names))
    assert required <= {"name", "child", "next", "left", "right"}


def test_a_chain_of_refs_back_to_itself_ends() -> None:
    loop = {"$ref": "#/components/schemas/Node"}  # Node is a $ref to Node
    spec = _spec(loop)

    value = Generator(spec, seed=1).instance("/components/schemas/Node", key="k")

    assert value is None  # a schema that is only itself constrains nothing
    assert spec.check(value, "/components/schemas/Node", Side.REQUEST) is None
    assert list(object_properties(spec, "/components/schemas/Node")) == []
    assert spec.deref("/components/schemas/Node")[0] == "/components/schemas/Node"


def test_the_openapi_3_0_dialect_of_a_recursive_schema_is_bounded_too() -> None:
    schema = {
        "type": "object",
        "nullable": True,
        "required": ["child"],
        "properties": {"child": NODE},
    }
    spec = _spec(schema, version="3.0.3")
    value = Generator(spec, seed=2).instance("/components/schemas/Node", key="k")

    assert spec.is_valid(value, "/components/schemas/Node", Side.RESPONSE)
