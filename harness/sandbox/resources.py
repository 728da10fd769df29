"""What each operation does to state, inferred from paths, methods and schemas.

``/contacts`` with ``POST`` creates and with ``GET`` lists; ``/contacts/{id}`` reads with
``GET``, replaces with ``PUT``, changes with ``PATCH`` (and ``POST``) and removes with
``DELETE``. A search under a collection (``GET /pets/findByStatus`` returning pets) lists
that collection. The resource's id field is the property named like the path parameter
(``external_id``, ``petId`` → ``id``), else ``id``. Anything else is an *action*: it
answers with its documented response.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from harness.contract import Contract
from harness.contract.refs import join_pointer
from harness.sandbox.dialect import Side
from harness.sandbox.spec import OperationSpec, Spec

_UNIQUE_HINTS = ("email", "username", "login", "slug", "sku", "handle", "code", "key")
_PARAM = re.compile(r"^\{([^{}]+)\}$")


class Kind(StrEnum):
    CREATE = "create"
    READ = "read"
    LIST = "list"
    REPLACE = "replace"
    PATCH = "patch"
    DELETE = "delete"
    ACTION = "action"


@dataclass(frozen=True, slots=True, kw_only=True)
class Collection:
    """A kind of resource: where it lives, how it is identified, what it looks like."""

    template: str  # "/contacts" (may contain parent parameters)
    item_template: str | None  # "/contacts/{external_id}"
    id_param: str | None
    id_field: str | None
    schema: str | None  # pointer to the resource schema (response view)
    strict: bool  # has a create operation: unknown ids are 404
    unique: tuple[str, ...] = ()  # fields no two resources share (from 409 triggers)
    parent: Collection | None = None  # /projects for /projects/{projectId}/notes


@dataclass(frozen=True, slots=True, kw_only=True)
class Behaviour:
    kind: Kind
    collection: Collection | None = None
    items_field: str | None = None  # for LIST answers that are objects: the array property


def infer_behaviours(spec: Spec, contract: Contract) -> dict[str, Behaviour]:
    """The behaviour of every operation of ``spec``."""
    ops = list(spec.operations.values())
    collections = {c.template: c for c in _collections(spec, contract, ops)}
    by_identity = {spec.identity(c.schema): c for c in collections.values() if c.schema}
    pagination = contract.api.pagination if contract.api is not None else None
    items_field = pagination.items_field if pagination is not None else None
    return {
        op.operation_id: _classify(spec, op, collections, by_identity, items_field) for op in ops
    }


def _classify(
    spec: Spec,
    op: OperationSpec,
    collections: dict[str, Collection],
    by_identity: dict[str | None, Collection],
    items_field: str | None,
) -> Behaviour:
    parent, param = _split(op.path)
    method = op.method
    if param is not None and parent in collections:
        kinds = {
            "get": Kind.READ,
            "put": Kind.REPLACE,
            "patch": Kind.PATCH,
            "post": Kind.PATCH,
            "delete": Kind.DELETE,
        }
        kind = kinds.get(method)
        if kind is not None:
            return Behaviour(kind=kind, collection=collections[parent])
    own = collections.get(op.path)
    if own is not None and method == "post" and _creates(spec, op):
        return Behaviour(kind=Kind.CREATE, collection=own)
    if own is not None and method in ("put", "patch") and own.id_field:
        kind = Kind.REPLACE if method == "put" else Kind.PATCH
        return Behaviour(kind=kind, collection=own)
    if method == "get":
        listing = list_shape(spec, success_schema(spec, op), items_field)
        if listing is not None:
            field, items = listing
            target = own or by_identity.get(spec.identity(items))
            if target is not None and spec.identity(items) == spec.identity(target.schema):
                return Behaviour(kind=Kind.LIST, collection=target, items_field=field)
    return Behaviour(kind=Kind.ACTION)


def _collections(spec: Spec, contract: Contract, ops: list[OperationSpec]) -> Iterator[Collection]:
    templates = {op.path for op in ops}
    items: dict[str, tuple[str, str]] = {}
    for template in sorted(templates):
        parent, param = _split(template)
        if param is not None and parent is not None:
            items.setdefault(parent, (template, param))
    creators = {op.path: op for op in ops if op.method == "post" and _creates(spec, op)}
    by_route = {(op.path, op.method): op for op in ops}
    built: list[Collection] = []
    for template in sorted(set(items) | set(creators)):  # a parent sorts before its children
        item_template, param = items.get(template, (None, None))
        creator = creators.get(template)
        schema = _resource_schema(spec, by_route, template, item_template)
        collection = Collection(
            template=template,
            item_template=item_template,
            id_param=param,
            id_field=_id_field(spec, schema, param),
            schema=schema,
            strict=creator is not None,
            unique=_unique_fields(contract, creator),
            parent=_parent(built, template),
        )
        built.append(collection)
        yield collection


def _parent(built: list[Collection], template: str) -> Collection | None:
    owners = [c for c in built if c.item_template and template.startswith(c.item_template + "/")]
    return max(owners, key=lambda c: len(c.template)) if owners else None


def _resource_schema(
    spec: Spec,
    by_route: dict[tuple[str, str], OperationSpec],
    template: str,
    item_template: str | None,
) -> str | None:
    preferences = [
        (item_template, "get"),
        (template, "post"),
        (item_template, "put"),
        (item_template, "patch"),
    ]
    for path, method in preferences:
        op = by_route.get((path or "", method))
        schema = success_schema(spec, op) if op is not None else None
        if schema is not None and _is_object(spec, schema):
            return schema
    return None


def success_schema(spec: Spec, op: OperationSpec) -> str | None:
    """The JSON schema pointer of the operation's successful answer, if any."""
    response = op.response_for(op.success_status(200, 201))
    media = response.preferred_media() if response is not None else None
    return media.schema if media is not None and media.is_json else None


def _creates(spec: Spec, op: OperationSpec) -> bool:
    body = op.body.media[0].schema if op.body is not None and op.body.media else None
    if body is not None and not _is_object(spec, body):
        return False
    response = success_schema(spec, op)
    return response is None or _is_object(spec, response)


def list_shape(
    spec: Spec, schema: str | None, items_field: str | None
) -> tuple[str | None, str] | None:
    """For a list answer: (the array property or None for a bare array, the items' pointer)."""
    if schema is None:
        return None
    pointer, node = spec.deref(schema, Side.RESPONSE)
    if not isinstance(node, dict):
        return None
    if _type(node) == "array" and isinstance(node.get("items"), dict):
        return None, join_pointer(pointer, "items")
    properties = dict(object_properties(spec, pointer))
    arrays = [
        name for name, p in properties.items() if _type(spec.deref(p, Side.RESPONSE)[1]) == "array"
    ]
    chosen = items_field if items_field in arrays else (arrays[0] if len(arrays) == 1 else None)
    if chosen is None:
        return None
    array_pointer = spec.deref(properties[chosen], Side.RESPONSE)[0]
    return chosen, join_pointer(array_pointer, "items")


def object_properties(spec: Spec, pointer: str) -> Iterator[tuple[str, str]]:
    """(name, pointer) of every property of an object schema, through ``$ref`` and ``allOf``."""
    for part, node in _all_of_parts(spec, pointer):
        properties = node.get("properties")
        for name in properties if isinstance(properties, dict) else ():
            yield name, join_pointer(part, "properties", name)


def required_properties(spec: Spec, pointer: str) -> set[str]:
    found: set[str] = set()
    for _, node in _all_of_parts(spec, pointer):
        required = node.get("required")
        if isinstance(required, list):
            found |= {r for r in required if isinstance(r, str)}
    return found


def _all_of_parts(spec: Spec, pointer: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """The schema at ``pointer`` and its ``allOf`` parts, each once (a cycle ends the walk)."""
    seen: set[str] = set()
    pending = [pointer]
    while pending:
        final, node = spec.deref(pending.pop(), Side.RESPONSE)
        if final in seen or not isinstance(node, dict):
            continue
        seen.add(final)
        yield final, node
        parts = node.get("allOf")
        count = len(parts) if isinstance(parts, list) else 0
        pending.extend(join_pointer(final, "allOf", str(i)) for i in reversed(range(count)))


def _id_field(spec: Spec, schema: str | None, param: str | None) -> str | None:
    if schema is None:
        return None
    names = [name for name, _ in object_properties(spec, schema)]
    if param is not None:
        if param in names:
            return param
        squashed = {_squash(name): name for name in names}
        if _squash(param) in squashed:
            return squashed[_squash(param)]
        if _squash(param).endswith("id") and "id" in names:
            return "id"  # petId, order_id → id
    return "id" if "id" in names else None


def _unique_fields(contract: Contract, creator: OperationSpec | None) -> tuple[str, ...]:
    if creator is None:
        return ()
    for error in contract.errors:
        trigger = error.trigger
        if error.status != 409 or trigger is None or trigger.operation != creator.operation_id:
            continue
        if isinstance(trigger.body, dict) and trigger.body:
            hinted = tuple(k for k in trigger.body if any(h in k.lower() for h in _UNIQUE_HINTS))
            return hinted or tuple(trigger.body)
    return ()


def _split(template: str) -> tuple[str | None, str | None]:
    """``/a/{id}`` → (``/a``, ``id``); (None, None) when the last segment is no parameter."""
    head, _, last = template.rstrip("/").rpartition("/")
    match = _PARAM.match(last)
    if match is None:
        return None, None
    return head or "/", match.group(1)


def _is_object(spec: Spec, pointer: str) -> bool:
    node = spec.deref(pointer, Side.RESPONSE)[1]
    return isinstance(node, dict) and _type(node) == "object"


def _type(node: Any) -> str | None:
    if not isinstance(node, dict):
        return None
    kind = node.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if isinstance(kind, str):
        return kind
    if "properties" in node or "allOf" in node:
        return "object"
    return "array" if "items" in node else None


def _squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())
