"""A resource as the sandbox stores it: the request body projected onto the resource schema.

Each property the client sent and the schema accepts is kept (readOnly ones are the
server's); the id is the server's unless the client may choose it; ``created``/``updated``
date-times are stamped from the sandbox clock; required properties the client left out are
``null`` where allowed and generated otherwise. If the result still does not conform (a
schema the projection cannot satisfy), a generated instance takes the client's values one
by one where they fit. Ids are fresh per bucket and deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from harness.sandbox.clock import SandboxClock
from harness.sandbox.dialect import Side
from harness.sandbox.generation import Generator
from harness.sandbox.resources import Collection, object_properties, required_properties
from harness.sandbox.spec import Spec
from harness.sandbox.store import Record, Store

_CREATED = ("created", "creation", "inserted", "added")
_UPDATED = ("updated", "modified", "changed", "edited")
_ABSENT = object()


class ResourceBuilder:
    """Builds conforming resources and fresh ids for collections."""

    def __init__(self, spec: Spec, generator: Generator, store: Store, clock: SandboxClock) -> None:
        self._spec = spec
        self._generator = generator
        self._store = store
        self._clock = clock

    def build(
        self,
        c: Collection,
        bucket: str,
        rid_value: Any,
        body: Mapping[str, Any],
        previous: Mapping[str, Any] | None,
        *,
        partial: bool,
    ) -> dict[str, Any]:
        """The stored form of a resource (``partial``: a PATCH over ``previous``)."""
        if c.schema is None:
            loose = {**(previous or {}), **body} if partial else dict(body)
            if c.id_field:
                loose[c.id_field] = rid_value
            return loose
        required = required_properties(self._spec, c.schema)
        now = _iso(self._clock.now())
        data: dict[str, Any] = {}
        for name, pointer in object_properties(self._spec, c.schema):
            if name == c.id_field:
                data[name] = rid_value
                continue
            value = self._property(
                c,
                name,
                pointer,
                body=body,
                previous=previous,
                partial=partial,
                now=now,
                required=name in required,
            )
            if value is not _ABSENT:
                data[name] = value
        if c.id_field and c.id_field not in data:
            data[c.id_field] = rid_value
        if self._spec.is_valid(data, c.schema, Side.RESPONSE):
            return data
        return self._repaired(c, bucket, rid_value, data)

    def _property(
        self,
        c: Collection,
        name: str,
        pointer: str,
        *,
        body: Mapping[str, Any],
        previous: Mapping[str, Any] | None,
        partial: bool,
        now: str,
        required: bool,
    ) -> Any:
        node = self._spec.deref(pointer, Side.RESPONSE)[1]
        node = node if isinstance(node, dict) else {}
        read_only = node.get("readOnly") is True or _annotated(
            self._spec.node(pointer, Side.RESPONSE)
        )
        if name == c.id_field:
            return _ABSENT
        if (
            not read_only
            and name in body
            and self._spec.is_valid(body[name], pointer, Side.RESPONSE)
        ):
            return body[name]
        role = _timestamp_role(name, node, read_only)
        if role == "updated":
            return now
        if previous is not None and name in previous and (partial or read_only or role):
            return previous[name]
        if role:
            return now
        if not required:
            return _ABSENT
        if _nullable(node):
            return None
        return self._generator.instance(pointer, key=f"{c.template}:{name}")

    def _repaired(
        self, c: Collection, bucket: str, rid_value: Any, data: dict[str, Any]
    ) -> dict[str, Any]:
        assert c.schema is not None
        generated = self._generator.instance(c.schema, key=f"{bucket}/{rid_value}")
        if not isinstance(generated, dict):
            return data
        for key, value in data.items():
            if self._spec.is_valid({**generated, key: value}, c.schema, Side.RESPONSE):
                generated[key] = value
        return generated

    def materialise(self, c: Collection, bucket: str, rid: str) -> Record | None:
        if c.schema is None:
            return None
        rid_value: Any = int(rid) if rid.isdigit() and self._id_kind(c) == "integer" else rid
        seed = self._generator.instance(c.schema, key=f"{bucket}/{rid}", examples=False)
        body = seed if isinstance(seed, dict) else {}
        return self._store.put(
            bucket, rid, self.build(c, bucket, rid_value, body, None, partial=False)
        )

    def new_id(self, c: Collection, bucket: str, hint: int = 0) -> Any:
        kind = self._id_kind(c)
        if kind == "integer":
            return self._store.next_number(bucket)
        pointer = self._id_pointer(c)
        for attempt in range(64):
            number = self._store.next_number(bucket)
            if pointer is None:
                return f"{number}"
            value = self._generator.instance(
                pointer, key=f"id:{bucket}:{number}:{attempt}:{hint}", examples=False
            )
            if value is not None and self._store.get(bucket, str(value)) is None:
                return value
        return f"id-{self._store.next_number(bucket)}"

    def valid_id(self, c: Collection, value: Any) -> bool:
        pointer = self._id_pointer(c)
        return pointer is None or self._spec.is_valid(value, pointer, Side.RESPONSE)

    def _id_pointer(self, c: Collection) -> str | None:
        if c.schema is None or c.id_field is None:
            return None
        return dict(object_properties(self._spec, c.schema)).get(c.id_field)

    def _id_kind(self, c: Collection) -> str | None:
        pointer = self._id_pointer(c)
        node = self._spec.deref(pointer, Side.RESPONSE)[1] if pointer else None
        kind = node.get("type") if isinstance(node, dict) else None
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), None)
        return kind if isinstance(kind, str) else None


def _timestamp_role(name: str, node: Mapping[str, Any], read_only: bool) -> str | None:
    if node.get("format") != "date-time":
        return None
    lowered = name.lower()
    if any(word in lowered for word in _UPDATED):
        return "updated"
    if any(word in lowered for word in _CREATED) or read_only:
        return "created"
    return None


def _annotated(node: Any) -> bool:
    return isinstance(node, dict) and node.get("readOnly") is True


def _nullable(node: Mapping[str, Any]) -> bool:
    kind = node.get("type")
    if isinstance(kind, list):
        return "null" in kind
    options = node.get("oneOf") or node.get("anyOf") or ()
    return any(isinstance(o, dict) and o.get("type") == "null" for o in options)


def _iso(seconds: float) -> str:
    return dt.datetime.fromtimestamp(int(seconds), tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
