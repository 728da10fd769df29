"""Pact matching rules from OpenAPI schemas, around the example values a pact shows.

A value is matched by what the schema promises rather than by equality: types, ``pattern``
and ``enum`` as regexes, well-known formats (date-time, date, email, uuid) as regexes,
arrays item by item with their ``minItems``. Pact has no "integer or null" rule, so a field
the schema lets be ``null`` is left out of the expected response (any value passes): a literal
would fail a provider answering the other kind (``next_page`` is an integer, then ``null`` on
the last page), and the OpenAPI conformance checks judge those fields anyway.
Values listed in ``exact`` (error codes, say) are kept as literals: they are the point.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pact import match

from harness.pact.examples import resolve, types_of

FORMAT_PATTERNS = {
    "date-time": r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$",
    "date": r"^\d{4}-\d{2}-\d{2}$",
    "email": r"^[^@\s]+@[^@\s]+$",
    "uuid": r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
}


def matcher_of(document: Any, schema: Any, example: Any) -> Any:
    """``example`` wrapped in the Pact matchers ``schema`` justifies (a literal otherwise)."""
    node = _branch(document, resolve(document, schema) if schema is not None else {}, example)
    if example is None:
        return None
    if isinstance(example, bool):
        return match.bool(example)
    if isinstance(example, int):
        return match.int(example) if "integer" in types_of(node) else match.number(example)
    if isinstance(example, float):
        return match.number(example)
    if isinstance(example, str):
        return _string(node, example)
    if isinstance(example, list):
        return _array(document, node, example)
    if isinstance(example, Mapping):
        properties = node.get("properties") or {}
        return {
            key: matcher_of(document, properties.get(key), value)
            for key, value in example.items()
            if not nullable(document, properties.get(key))
        }
    return example


def nullable(document: Any, schema: Any) -> bool:
    """Whether ``schema`` lets the value be ``null`` (3.0 ``nullable``, 3.1 type lists,
    a ``null`` branch of ``oneOf``/``anyOf``)."""
    if schema is None:
        return False
    node = resolve(document, schema)
    if node.get("nullable") is True or "null" in types_of(node):
        return True
    return any(
        isinstance(branches, list)
        and any("null" in types_of(resolve(document, branch)) for branch in branches)
        for branches in (node.get("oneOf"), node.get("anyOf"))
    )


def _branch(document: Any, node: Mapping[str, Any], example: Any) -> Mapping[str, Any]:
    """The ``oneOf``/``anyOf`` branch whose JSON type fits ``example`` (else ``node``)."""
    for key in ("oneOf", "anyOf"):
        branches = node.get(key)
        if not isinstance(branches, list):
            continue
        wanted = _json_type(example)
        for branch in branches:
            resolved = resolve(document, branch)
            kinds = types_of(resolved)
            if wanted in kinds or (wanted == "integer" and "number" in kinds):
                return resolved
    return node


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _string(node: Mapping[str, Any], example: str) -> Any:
    enum = node.get("enum")
    if isinstance(enum, list) and enum and example in enum:
        alternatives = "|".join(re.escape(str(item)) for item in enum if isinstance(item, str))
        return match.regex(example, regex=f"^(?:{alternatives})$")
    pattern = node.get("pattern")
    if isinstance(pattern, str) and _fits(pattern, example):
        return match.regex(example, regex=pattern)
    fmt = node.get("format")
    if isinstance(fmt, str) and fmt in FORMAT_PATTERNS and _fits(FORMAT_PATTERNS[fmt], example):
        return match.regex(example, regex=FORMAT_PATTERNS[fmt])
    return match.str(example)


def _fits(pattern: str, example: str) -> bool:
    """A regex rule whose own example fails it would fail every provider: keep type instead."""
    try:
        return re.search(pattern, example) is not None
    except re.error:
        return False


def _array(document: Any, node: Mapping[str, Any], example: list[Any]) -> Any:
    if not example:
        return match.like([])
    items = node.get("items")
    minimum = node.get("minItems")
    least = max(1, minimum) if isinstance(minimum, int) else 1
    return match.each_like(matcher_of(document, items, example[0]), min=least)
