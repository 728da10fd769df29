"""The schemas an entity mapping is judged against: ours, theirs, and the request that sends it.

Schemas come out self-contained: local ``$ref``s are inlined (siblings such as ``readOnly``
kept; a recursive type stays a ``$ref`` into ``$defs``, see ``harness.contract.refs``), and
OpenAPI 3.0 ``nullable: true`` becomes ``type: [T, "null"]``, so the same dict serves
``jsonschema`` validation and ``hypothesis-jsonschema`` generation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from harness.contract import Contract
from harness.contract.model import EntityMapping
from harness.contract.references import resolve_schema
from harness.contract.refs import RefError, deref, inline_schema
from harness.errors import ContractError, Problem


@dataclass(frozen=True, slots=True, kw_only=True)
class EntitySchemas:
    """ours, theirs (as the vendor returns it) and request (what ``operation`` sends)."""

    ours: dict[str, Any]
    theirs: dict[str, Any]
    request: dict[str, Any]
    request_label: str

    def read_only(self) -> frozenset[str]:
        """Top-level theirs properties the vendor sets (``readOnly``): not sent in a request."""
        properties = self.theirs.get("properties") or {}
        return frozenset(
            name
            for name, schema in properties.items()
            if isinstance(schema, Mapping) and schema.get("readOnly") is True
        )


def entity_schemas(contract: Contract, mapping: EntityMapping) -> EntitySchemas:
    """Resolve and inline the schemas of ``mapping``; ContractError if a reference is broken."""
    ours = _load(contract, mapping.ours, mapping)
    theirs = _load(contract, mapping.theirs, mapping)
    request, label = theirs, mapping.theirs
    if mapping.operation:
        found = _request_schema(contract, mapping)
        if found is not None:
            request, label = found, f"the {mapping.operation} request body"
    return EntitySchemas(ours=ours, theirs=theirs, request=request, request_label=label)


def _load(contract: Contract, reference: str, mapping: EntityMapping) -> dict[str, Any]:
    schema = resolve_schema(contract, reference, mapping.loc)
    root = resolve_schema(contract, reference.partition("#")[0], mapping.loc)
    result: dict[str, Any] = inline(schema, root, openapi_30=_is_openapi_30(root))
    return result


def _is_openapi_30(root: Any) -> bool:
    return isinstance(root, Mapping) and str(root.get("openapi", "")).startswith("3.0")


def _request_schema(contract: Contract, mapping: EntityMapping) -> dict[str, Any] | None:
    assert mapping.operation is not None
    try:
        operation = contract.operation(mapping.operation)
    except KeyError:
        message = f"mapping {mapping.name}: operation '{mapping.operation}' is not in the OpenAPI"
        raise ContractError([Problem(mapping.loc, message, "use an operationId")]) from None
    assert contract.document is not None
    root = contract.document.raw
    body = operation.definition.get("requestBody")
    body = _follow_ref(root, body) if isinstance(body, Mapping) else None
    content = body.get("content") if isinstance(body, Mapping) else None
    if not isinstance(content, Mapping):
        return None
    media = content.get("application/json") or next(iter(content.values()), None)
    schema = media.get("schema") if isinstance(media, Mapping) else None
    if not isinstance(schema, Mapping):
        return None
    result: dict[str, Any] = inline(schema, root, openapi_30=_is_openapi_30(root))
    return result


def _follow_ref(root: Any, node: Mapping[str, Any]) -> Any:
    try:
        return deref(root, node)
    except RefError:
        return None  # validation names a dangling or looping $ref


def inline(schema: Any, root: Any, *, openapi_30: bool = False) -> Any:
    """``schema`` with local ``$ref``s replaced by their targets; recursion kept in ``$defs``."""
    if not isinstance(schema, Mapping):
        return schema
    return inline_schema(schema, root, openapi_30=openapi_30)


def validator(schema: Mapping[str, Any]) -> Draft202012Validator:
    """A 2020-12 validator that checks formats."""
    return Draft202012Validator(schema, format_checker=FormatChecker())


def property_schema(schema: Mapping[str, Any], path: str) -> Mapping[str, Any] | None:
    """The subschema at a field path (``a.b``, ``items[].sku``), or None if undeclared."""
    node: Any = schema
    for segment in path.split("."):
        key, _, brackets = segment.partition("[")
        if key:
            properties = node.get("properties") if isinstance(node, Mapping) else None
            if not isinstance(properties, Mapping) or key not in properties:
                return None
            node = properties[key]
        for _ in range(("[" + brackets).count("[") if brackets else 0):
            node = node.get("items") if isinstance(node, Mapping) else None
    return node if isinstance(node, Mapping) else None


def required_fields(schema: Mapping[str, Any]) -> tuple[str, ...]:
    """Top-level required property names."""
    required = schema.get("required") or []
    return tuple(name for name in required if isinstance(name, str))


def schema_types(schema: Mapping[str, Any]) -> frozenset[str]:
    """The JSON types a schema admits (empty: any); ``oneOf``/``anyOf`` branches are united."""
    kinds = schema.get("type")
    if isinstance(kinds, str):
        return frozenset({kinds})
    if isinstance(kinds, list):
        return frozenset(kind for kind in kinds if isinstance(kind, str))
    branches = (schema.get("oneOf") or []) + (schema.get("anyOf") or [])
    found = [schema_types(branch) for branch in branches if isinstance(branch, Mapping)]
    if found and all(found):
        return frozenset().union(*found)
    if "enum" in schema or "const" in schema or "pattern" in schema:
        return frozenset({"string"}) if "pattern" in schema else frozenset()
    return frozenset()
