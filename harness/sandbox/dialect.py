"""OpenAPI schemas as plain JSON Schema 2020-12, in the two views a server needs.

OpenAPI 3.0 schemas are a dialect of an old draft: ``nullable: true`` instead of a
``"null"`` type, boolean ``exclusiveMinimum``/``exclusiveMaximum``. Some 3.1 documents keep
those habits, so they are translated whatever the version says. On top of that, OpenAPI gives
``readOnly`` and ``writeOnly`` a meaning JSON Schema does not: a client never sends a readOnly
property and a server never returns a writeOnly one, even when it is ``required``. So the
sandbox validates requests against a *request view* (readOnly properties are not required,
and ``format: int32``/``int64`` bound an integer as a real server's parser would) and builds
responses from a *response view* (writeOnly ones are not required).

The translation keeps the document's shape, so a JSON pointer into the original document
still points at the same schema in either view.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from harness.contract.refs import follow_pointer

# Keys whose values are data, not schemas: never rewritten.
_DATA_KEYS = frozenset({"example", "examples", "default", "enum", "const"})
_INTEGER_FORMATS = {"int32": 2**31, "int64": 2**63}


class Side(StrEnum):
    """The message a schema is read for: readOnly is hidden in a request, writeOnly in a reply."""

    REQUEST = "request"
    RESPONSE = "response"


def json_safe(document: Any) -> Any:
    """A deep copy with only JSON types (YAML dates become strings, integer keys text)."""
    return json.loads(json.dumps(document, default=str))


def translate(document: Mapping[str, Any], view: Side) -> dict[str, Any]:
    """A copy of ``document`` whose schemas are JSON Schema 2020-12 for ``view``."""
    hidden = "readOnly" if view is Side.REQUEST else "writeOnly"
    translated = _walk(document, document, hidden, bounded=view is Side.REQUEST)
    assert isinstance(translated, dict)
    return translated


def _walk(node: Any, root: Mapping[str, Any], hidden: str, *, bounded: bool) -> Any:
    if isinstance(node, list):
        return [_walk(item, root, hidden, bounded=bounded) for item in node]
    if not isinstance(node, dict):
        return node
    out = {
        key: value
        if key in _DATA_KEYS or key.startswith("x-")
        else _walk(value, root, hidden, bounded=bounded)
        for key, value in node.items()
    }
    _drop_hidden_required(out, root, hidden)
    _exclusive_bounds(out)
    if bounded:
        _format_bounds(out)
    return _nullable(out)


def _format_bounds(node: dict[str, Any]) -> None:
    """``type: integer, format: int32`` as the bounds a 32-bit field has."""
    half = _INTEGER_FORMATS.get(str(node.get("format")))
    if half is None or node.get("type") != "integer":
        return
    low, high = node.get("minimum"), node.get("maximum")
    if not isinstance(low, int | float) or low < -half:
        node["minimum"] = -half
    if not isinstance(high, int | float) or high > half - 1:
        node["maximum"] = half - 1


def _drop_hidden_required(node: dict[str, Any], root: Mapping[str, Any], hidden: str) -> None:
    required = node.get("required")
    properties = node.get("properties")
    if not (isinstance(required, list) and isinstance(properties, dict)):
        return
    kept = [name for name in required if not _is_hidden(properties.get(name), root, hidden)]
    if len(kept) != len(required):
        node["required"] = kept


def _is_hidden(schema: Any, root: Mapping[str, Any], hidden: str) -> bool:
    for _ in range(16):  # a bounded walk down a $ref chain
        if not isinstance(schema, dict):
            return False
        if schema.get(hidden) is True:
            return True
        ref = schema.get("$ref")
        if not (isinstance(ref, str) and ref.startswith("#")):
            return False
        schema = follow_pointer(root, ref[1:], default=None)
    return False


def _exclusive_bounds(node: dict[str, Any]) -> None:
    for bound, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
        flag = node.get(exclusive)
        if isinstance(flag, bool):
            del node[exclusive]
            if flag and bound in node:
                node[exclusive] = node.pop(bound)


def _nullable(node: dict[str, Any]) -> dict[str, Any]:
    if "nullable" not in node or not isinstance(node["nullable"], bool):
        return node
    nullable = node.pop("nullable")
    if not nullable:
        return node
    kind = node.get("type")
    if isinstance(kind, str):
        node["type"] = [kind, "null"]
        if isinstance(node.get("enum"), list) and None not in node["enum"]:
            node["enum"] = [*node["enum"], None]
        return node
    if isinstance(kind, list):
        if "null" not in kind:
            node["type"] = [*kind, "null"]
        return node
    return {"anyOf": [{"type": "null"}, node]}
