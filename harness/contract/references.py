"""Cross-references: every operation, schema and field the contract names must exist."""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from typing import Any

from harness.contract.bundle import document_policy, load_document
from harness.contract.contract import Contract
from harness.contract.model import FieldMapping
from harness.contract.refs import MAX_CHAIN, RefError, follow_pointer
from harness.contract.source import Positions
from harness.errors import ContractError, Location, Problem


def resolve_schema(contract: Contract, reference: str, used_at: Location) -> dict[str, Any]:
    """``openapi.yaml#/components/schemas/Contact`` or ``schemas/x.json`` → the schema."""
    return _resolve(contract, reference, used_at)[0]


def _resolve(contract: Contract, reference: str, used_at: Location) -> tuple[dict[str, Any], Any]:
    """The schema a reference names and the document it is in (for its local ``$ref``s)."""
    file_part, _, pointer = reference.partition("#")
    document = _document(contract, file_part, used_at)
    try:
        node = _follow(document, pointer)
    except (KeyError, IndexError, ValueError, TypeError):
        raise ContractError(
            [Problem(used_at, f"'{reference}' points at nothing", _pointer_hint(document, pointer))]
        ) from None
    if not isinstance(node, dict):
        message = f"'{reference}' is not a schema: it points at {_kind(node)}, not a mapping"
        raise ContractError([Problem(used_at, message, "point at a JSON Schema object")])
    return node, document


def _kind(node: Any) -> str:
    return "a list" if isinstance(node, list) else f"the value {node!r}"


def _document(contract: Contract, file_part: str, used_at: Location) -> Any:
    api = contract.document
    target = contract.directory / file_part if file_part else None
    if api is not None and (target is None or target.resolve() == api.path.resolve()):
        return api.raw
    if target is None:
        hint = "write the file first, e.g. openapi.yaml#/components/schemas/Contact"
        raise ContractError([Problem(used_at, "a reference needs a file name before '#'", hint)])
    return load_document(target, used_at, document_policy(contract))


def _follow(document: Any, pointer: str) -> Any:
    return follow_pointer(document, pointer)


def _pointer_hint(document: Any, pointer: str) -> str:
    schemas = (
        document.get("components", {}).get("schemas", {}) if isinstance(document, dict) else {}
    )
    name = pointer.rsplit("/", 1)[-1]
    close = difflib.get_close_matches(name, list(schemas), n=1)
    if close:
        return f"did you mean '#/components/schemas/{close[0]}'?"
    return "check the JSON pointer after '#'"


def schema_properties(
    schema: Mapping[str, Any], root: Any, seen: frozenset[str] = frozenset()
) -> dict[str, Any] | None:
    """Properties of an object schema (following local $ref and allOf); None if open-ended.

    Cycle-safe and bounded: a ``$ref`` met again below itself, or past ``MAX_CHAIN`` levels,
    counts as open-ended. Raises RefError (a ValueError) for a ``$ref`` that points at nothing.
    """
    return _properties_of(schema, root, seen, {})


def _properties_of(
    schema: Mapping[str, Any], root: Any, seen: frozenset[str], memo: dict[str, Any]
) -> dict[str, Any] | None:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#"):
        if ref in seen or len(seen) >= MAX_CHAIN:  # a cycle: nothing more is known
            return None
        if ref not in memo:
            target = follow_pointer(root, ref)
            memo[ref] = None
            memo[ref] = (
                _properties_of(target, root, seen | {ref}, memo)
                if isinstance(target, Mapping)
                else None
            )
        found: dict[str, Any] | None = memo[ref]
        return found
    declared = schema.get("properties") or {}
    parts = schema.get("allOf") or []
    if not isinstance(declared, Mapping) or not isinstance(parts, list):
        return None
    properties: dict[str, Any] = dict(declared)
    for part in parts:
        more = _properties_of(part, root, seen, memo) if isinstance(part, Mapping) else None
        if more is None:
            return None
        properties.update(more)
    if not properties and not parts:
        return None
    return properties


def check_references(contract: Contract, positions: Positions) -> list[Problem]:
    """Every dangling operation, schema, field or PII reference in the contract."""
    checker = _References(contract, positions)
    problems = list(checker.operation_problems())
    problems += checker.mapping_problems()
    problems += checker.pii_problems()
    problems += checker.webhook_schema_problems()
    return problems


class _References:
    """The checks, sharing the contract and the positions that place each problem."""

    def __init__(self, contract: Contract, positions: Positions) -> None:
        self.contract = contract
        self.at = positions.child
        self.positions = positions

    def named_operations(self) -> Iterator[tuple[str, Location]]:
        contract = self.contract
        for error in contract.errors:
            if error.trigger is not None:
                yield error.trigger.operation, self.at(error.trigger.loc, "operation")
        if contract.health is not None:
            yield contract.health.operation, self.at(contract.health.loc, "operation")
        for mapping in contract.mappings.values():
            if mapping.operation:
                yield mapping.operation, self.at(mapping.loc, "operation")
        for limit in contract.rate_limits:
            for index, name in enumerate(limit.operations):
                yield name, self.at(limit.loc, "operations", index)
        yield from self.safety_operations()
        webhooks = contract.webhooks
        if webhooks is not None:
            for event in webhooks.events.values():
                if event.trigger:
                    yield event.trigger, self.at(event.loc, "trigger", "operation")
            if webhooks.subscription:
                yield webhooks.subscription, self.at(webhooks.loc, "subscription", "operation")

    def safety_operations(self) -> Iterator[tuple[str, Location]]:
        """The operationIds ``safety.no_fuzz`` and ``safety.destructive`` name."""
        safety = self.contract.safety
        if safety is None:
            return
        for key, selectors in (("no_fuzz", safety.no_fuzz), ("destructive", safety.destructive)):
            for index, selector in enumerate(selectors):
                if selector.operation:
                    yield selector.operation, self.at(safety.loc, key, index, "operation")

    def operation_problems(self) -> Iterator[Problem]:
        document = self.contract.document
        known = list(document.operations) if document else []
        for name, where in self.named_operations():
            if name in known:
                continue
            if document is None:
                message = f"operation '{name}' named, but the contract has no 'api.openapi'"
                hint = "add 'api: {openapi: openapi.yaml}' naming the vendor's OpenAPI document"
                yield Problem(where, message, hint)
                continue
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean '{close[0]}'?" if close else _known_hint(known)
            yield Problem(where, f"no operation '{name}' in {document.path.name}", hint)

    def mapping_problems(self) -> list[Problem]:
        problems: list[Problem] = []
        for mapping in self.contract.mappings.values():
            sides: dict[str, tuple[dict[str, Any], str]] = {}
            for side in ("ours", "theirs"):
                reference, where = getattr(mapping, side), self.at(mapping.loc, side)
                try:
                    properties = _properties(self.contract, reference, where)
                except ContractError as exc:
                    problems += exc.problems
                    continue
                if properties is not None:  # None: an open-ended schema takes any field
                    sides[side] = (properties, reference)
            for field in mapping.fields:
                for side, (properties, reference) in sides.items():
                    problems += self._field_problems(field, side, properties, reference)
        return problems

    def _field_problems(
        self, field: FieldMapping, side: str, properties: dict[str, Any], ref: str
    ) -> list[Problem]:
        problems = []
        paths: tuple[str, ...] = getattr(field, side)
        for index, path in enumerate(paths):
            head = path.split(".", 1)[0].removesuffix("[]")
            if head in properties:
                continue
            close = difflib.get_close_matches(head, list(properties), n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"fields: {', '.join(properties)}"
            message = f"mapping field '{path}' ({side}) is not in {ref}"
            problems.append(Problem(self._side_at(field.loc, side, index), message, hint))
        return problems

    def _side_at(self, loc: Location, side: str, index: int) -> Location:
        """``ours: name`` is one path; ``ours: [a, b]`` a list of them."""
        base = self.positions.path_of(loc)
        if base is not None and (*base, side) in self.positions.scalars:
            return self.at(loc, side)
        return self.at(loc, side, index)

    def pii_problems(self) -> list[Problem]:
        security, mappings = self.contract.security, self.contract.mappings
        if security is None or not mappings:
            return []
        problems = []
        for index, entry in enumerate(security.pii):
            where = self.at(security.loc, "pii", index)
            entity, _, field = entry.partition(".")
            if entity not in mappings:
                close = difflib.get_close_matches(entity, list(mappings), n=1)
                hint = f"did you mean '{close[0]}.{field}'?" if close else ""
                hint = hint or f"declared entities (under 'mappings'): {', '.join(mappings)}"
                problems.append(Problem(where, f"PII '{entry}': no mapping '{entity}'", hint))
                continue
            mapped = {
                p.split(".")[0] for f in mappings[entity].fields for p in (*f.ours, *f.theirs)
            }
            if field.split(".")[0] not in mapped:
                message = f"PII '{entry}': '{field}' is not a mapped field of '{entity}'"
                hint = f"mapped fields of '{entity}': {', '.join(sorted(mapped))}"
                problems.append(Problem(where, message, hint))
        return problems

    def webhook_schema_problems(self) -> list[Problem]:
        problems: list[Problem] = []
        if self.contract.webhooks is None:
            return problems
        for event in self.contract.webhooks.events.values():
            try:
                resolve_schema(self.contract, event.schema, self.at(event.loc, "schema"))
            except ContractError as exc:
                problems += exc.problems
        return problems


def _properties(contract: Contract, reference: str, where: Location) -> dict[str, Any] | None:
    schema, root = _resolve(contract, reference, where)
    try:
        return schema_properties(schema, root)
    except RefError as exc:
        message = f"a '$ref' inside {reference} points at nothing ('{exc.reference}')"
        hint = "fix that $ref, or define what it names"
        raise ContractError([Problem(where, message, hint)]) from None


def _known_hint(known: list[str]) -> str:
    shown = ", ".join(sorted(known)[:8]) + (", ..." if len(known) > 8 else "")
    return f"use an operationId of the document: {shown}" if known else "the document has none"
