"""Example values from OpenAPI schemas: what a pact shows when no recording says better.

The document's own examples win (``example``, ``examples``, ``default``, the first ``enum``
value); an object is built property by property, an array holds one item, a string of a
known format gets a well-formed value. Depth is bounded so recursive schemas end.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harness.contract.refs import deref

MAX_DEPTH = 8
_FORMATS = {
    "date-time": "2026-10-01T09:30:00Z",
    "date": "2026-10-01",
    "time": "09:30:00Z",
    "email": "ada@example.com",
    "uuid": "5d1f8e2a-3c4b-4e6f-9a0b-7c8d9e0f1a2b",
    "uri": "https://example.com/",
    "uri-reference": "/example",
    "ipv4": "192.0.2.1",
}


def resolve(document: Any, schema: Any) -> Mapping[str, Any]:
    """``schema`` with its ``$ref`` chain followed and ``allOf`` merged (``{}`` if unusable)."""
    node = deref(document, schema)
    if not isinstance(node, Mapping):
        return {}
    parts = node.get("allOf")
    if not isinstance(parts, list):
        return node
    merged: dict[str, Any] = {k: v for k, v in node.items() if k != "allOf"}
    properties: dict[str, Any] = dict(merged.get("properties") or {})
    required: list[str] = list(merged.get("required") or [])
    for part in parts:
        resolved = resolve(document, part)
        properties.update(resolved.get("properties") or {})
        required += list(resolved.get("required") or [])
        merged = {**resolved, **merged}
    return {**merged, "properties": properties, "required": required}


def documented_example(schema: Mapping[str, Any]) -> tuple[bool, Any]:
    """The example the schema itself gives, if any: ``(found, value)``."""
    if "example" in schema:
        return True, schema["example"]
    examples = schema.get("examples")
    if isinstance(examples, list) and examples:
        return True, examples[0]
    for key in ("const", "default"):
        if key in schema:
            return True, schema[key]
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return True, enum[0]
    return False, None


def types_of(schema: Mapping[str, Any]) -> list[str]:
    """The JSON types a schema names (``type: [string, 'null']`` → both)."""
    declared = schema.get("type")
    if isinstance(declared, str):
        return [declared]
    if isinstance(declared, list):
        return [str(item) for item in declared]
    if "properties" in schema:
        return ["object"]
    if "items" in schema:
        return ["array"]
    return []


def example_of(document: Any, schema: Any, depth: int = 0) -> Any:
    """An example value for ``schema`` (documented if possible, else built)."""
    node = resolve(document, schema)
    found, value = documented_example(node)
    if found or depth > MAX_DEPTH:
        return value
    for key in ("oneOf", "anyOf"):
        branches = node.get(key)
        if isinstance(branches, list) and branches:
            usable = [b for b in branches if "null" not in types_of(resolve(document, b))]
            return example_of(document, (usable or branches)[0], depth + 1)
    kinds = types_of(node) or ["object"]
    if "null" in kinds:  # nullable: a provider with nothing to say answers null
        return None
    return _built(document, node, kinds[0], depth)


def _built(document: Any, node: Mapping[str, Any], kind: str, depth: int) -> Any:
    if kind == "object":
        properties = node.get("properties") or {}
        return {
            name: example_of(document, sub, depth + 1)
            for name, sub in properties.items()
            if isinstance(name, str)
        }
    if kind == "array":
        items = node.get("items")
        return [example_of(document, items, depth + 1)] if isinstance(items, Mapping) else []
    if kind == "integer":
        return int(node.get("minimum", 1))
    if kind == "number":
        return float(node.get("minimum", 1.5))
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    fmt = node.get("format")
    if isinstance(fmt, str) and fmt in _FORMATS:
        return _FORMATS[fmt]
    return "x" * max(1, int(node.get("minLength", 1)))
