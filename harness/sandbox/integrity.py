"""Referential integrity: a body property that holds another resource's id must name one.

A property refers to a collection when its schema *is* that collection's id schema (the
same ``$ref`` target, also as one option of a ``oneOf``/``anyOf``), e.g. a deal's
``contact_id: {$ref: ContactId}`` and a contact's ``external_id: {$ref: ContactId}``.
Only top-level collections that the sandbox fills itself (they have a create operation)
are checked, so an unknown id is a real dangling reference.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from harness.contract.refs import join_pointer
from harness.sandbox.dialect import Side
from harness.sandbox.resources import Collection, object_properties
from harness.sandbox.spec import OperationSpec, Spec
from harness.sandbox.store import Store


class Integrity:
    """Finds references to resources that do not exist."""

    def __init__(self, spec: Spec, collections: Iterable[Collection], store: Store) -> None:
        self._spec = spec
        self._store = store
        self._targets: dict[str, Collection] = {}
        for collection in collections:
            pointer = _id_pointer(spec, collection)
            if collection.strict and "{" not in collection.template and pointer is not None:
                identity = spec.identity(pointer)
                if identity is not None:
                    self._targets.setdefault(identity, collection)
        self._links: dict[str, list[tuple[str, Collection]]] = {}

    def dangling(self, op: OperationSpec, body: Mapping[str, Any]) -> tuple[str, Any] | None:
        """(property, value) of the first reference in ``body`` to a missing resource."""
        for name, target in self._links_of(op):
            value = body.get(name)
            if value is None or isinstance(value, dict | list):
                continue
            if self._store.get(target.template, str(value)) is None:
                return name, value
        return None

    def _links_of(self, op: OperationSpec) -> list[tuple[str, Collection]]:
        links = self._links.get(op.operation_id)
        if links is None:
            links = self._links[op.operation_id] = list(self._find_links(op))
        return links

    def _find_links(self, op: OperationSpec) -> Iterable[tuple[str, Collection]]:
        media = next((m for m in op.body.media if m.is_json), None) if op.body else None
        if media is None or media.schema is None or not self._targets:
            return
        for name, pointer in object_properties(self._spec, media.schema):
            for identity in self._identities(pointer):
                target = self._targets.get(identity)
                if target is not None:
                    yield name, target
                    break

    def _identities(self, pointer: str) -> set[str]:
        final, node = self._spec.deref(pointer, Side.RESPONSE)
        found = {final}
        for keyword in ("oneOf", "anyOf"):
            options = node.get(keyword) if isinstance(node, dict) else None
            for index in range(len(options) if isinstance(options, list) else 0):
                option = join_pointer(final, keyword, str(index))
                found.add(self._spec.deref(option, Side.RESPONSE)[0])
        return found


def _id_pointer(spec: Spec, collection: Collection) -> str | None:
    if collection.schema is None or collection.id_field is None:
        return None
    return dict(object_properties(spec, collection.schema)).get(collection.id_field)
