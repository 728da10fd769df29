"""Cross-references: every operation, schema and field the contract names must exist."""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from typing import Any

from harness.contract.contract import Contract
from harness.contract.openapi import read_document
from harness.errors import ContractError, Location, Problem


def resolve_schema(contract: Contract, reference: str, used_at: Location) -> dict[str, Any]:
    """``openapi.yaml#/components/schemas/Contact`` or ``schemas/x.json`` → the schema."""
    file_part, _, pointer = reference.partition("#")
    document = _document(contract, file_part, used_at)
    try:
        node = _follow(document, pointer)
    except (KeyError, IndexError, ValueError, TypeError):
        raise ContractError(
            [Problem(used_at, f"'{reference}' points at nothing", _pointer_hint(document, pointer))]
        ) from None
    if not isinstance(node, dict):
        raise ContractError([Problem(used_at, f"'{reference}' is not a schema (a mapping)")])
    return node


def _document(contract: Contract, file_part: str, used_at: Location) -> Any:
    api = contract.document
    target = (contract.directory / file_part).resolve() if file_part else None
    if api is not None and (target is None or target == api.path.resolve()):
        return api.raw
    if target is None:
        raise ContractError([Problem(used_at, "a reference needs a file name before '#'")])
    return read_document(target, used_at)


def _follow(document: Any, pointer: str) -> Any:
    node = document
    for token in pointer.lstrip("/").split("/"):
        if token:
            key = token.replace("~1", "/").replace("~0", "~")
            node = node[int(key)] if isinstance(node, list) else node[key]
    return node


def _pointer_hint(document: Any, pointer: str) -> str:
    schemas = (
        document.get("components", {}).get("schemas", {}) if isinstance(document, dict) else {}
    )
    name = pointer.rsplit("/", 1)[-1]
    close = difflib.get_close_matches(name, list(schemas), n=1)
    if close:
        return f"did you mean '#/components/schemas/{close[0]}'?"
    return "check the JSON pointer after '#'"


def schema_properties(schema: Mapping[str, Any], root: Any) -> dict[str, Any] | None:
    """Properties of an object schema (following local $ref and allOf); None if open-ended."""
    if "$ref" in schema and isinstance(schema["$ref"], str) and schema["$ref"].startswith("#"):
        return schema_properties(_follow(root, schema["$ref"][1:]), root)
    properties: dict[str, Any] = dict(schema.get("properties") or {})
    for part in schema.get("allOf") or []:
        more = schema_properties(part, root)
        if more is None:
            return None
        properties.update(more)
    if not properties and not schema.get("allOf"):
        return None
    return properties


def check_references(contract: Contract) -> list[Problem]:
    """Every dangling operation, schema, field or PII reference in the contract."""
    problems = list(_operation_problems(contract))
    problems += _mapping_problems(contract)
    problems += _webhook_schema_problems(contract)
    return problems


def _named_operations(contract: Contract) -> Iterator[tuple[str, Location]]:
    for error in contract.errors:
        if error.trigger is not None:
            yield error.trigger.operation, error.trigger.loc
    if contract.health is not None:
        yield contract.health.operation, contract.health.loc
    for mapping in contract.mappings.values():
        if mapping.operation:
            yield mapping.operation, mapping.loc
    for limit in contract.rate_limits:
        for name in limit.operations:
            yield name, limit.loc
    webhooks = contract.webhooks
    if webhooks is not None:
        for event in webhooks.events.values():
            if event.trigger:
                yield event.trigger, event.loc
        if webhooks.subscription:
            yield webhooks.subscription, webhooks.loc


def _operation_problems(contract: Contract) -> Iterator[Problem]:
    known = list(contract.document.operations) if contract.document else []
    for name, where in _named_operations(contract):
        if name in known:
            continue
        if contract.document is None:
            yield Problem(where, f"operation '{name}' named, but the contract has no 'api.openapi'")
            continue
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean '{close[0]}'?" if close else "use an operationId of the document"
        yield Problem(where, f"no operation '{name}' in {contract.document.path.name}", hint)


def _mapping_problems(contract: Contract) -> list[Problem]:
    problems: list[Problem] = []
    for mapping in contract.mappings.values():
        try:
            ours = resolve_schema(contract, mapping.ours, mapping.loc)
            theirs = resolve_schema(contract, mapping.theirs, mapping.loc)
        except ContractError as exc:
            problems += exc.problems
            continue
        ours_root = _root(contract, mapping.ours, ours)
        theirs_root = _root(contract, mapping.theirs, theirs)
        for field in mapping.fields:
            problems += _field_problems(
                field.ours, ours, ours_root, "ours", mapping.ours, where=field.loc
            )
            problems += _field_problems(
                field.theirs, theirs, theirs_root, "theirs", mapping.theirs, where=field.loc
            )
    return problems + _pii_problems(contract)


def _root(contract: Contract, reference: str, schema: dict[str, Any]) -> Any:
    file_part = reference.partition("#")[0]
    document = contract.document
    if (
        document is not None
        and (contract.directory / file_part).resolve() == document.path.resolve()
    ):
        return document.raw
    return schema


def _field_problems(
    paths: tuple[str, ...], schema: Any, root: Any, side: str, ref: str, *, where: Location
) -> list[Problem]:
    properties = schema_properties(schema, root)
    if properties is None:
        return []
    problems = []
    for path in paths:
        head = path.split(".", 1)[0].removesuffix("[]")
        if head not in properties:
            close = difflib.get_close_matches(head, list(properties), n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"fields: {', '.join(properties)}"
            message = f"mapping field '{path}' ({side}) is not in {ref}"
            problems.append(Problem(where, message, hint))
    return problems


def _pii_problems(contract: Contract) -> list[Problem]:
    if contract.security is None or not contract.mappings:
        return []
    problems = []
    for entry in contract.security.pii:
        entity, _, field = entry.partition(".")
        if entity not in contract.mappings:
            hint = f"declared entities: {', '.join(contract.mappings)}"
            problems.append(
                Problem(contract.security.loc, f"PII '{entry}': no mapping '{entity}'", hint)
            )
            continue
        mapping = contract.mappings[entity]
        sides = {p.split(".")[0] for f in mapping.fields for p in (*f.ours, *f.theirs)}
        if field.split(".")[0] not in sides:
            message = f"PII '{entry}': '{field}' is not a mapped field of '{entity}'"
            problems.append(
                Problem(contract.security.loc, message, "map the field, or fix the name")
            )
    return problems


def _webhook_schema_problems(contract: Contract) -> list[Problem]:
    problems: list[Problem] = []
    if contract.webhooks is None:
        return problems
    for event in contract.webhooks.events.values():
        try:
            resolve_schema(contract, event.schema, event.loc)
        except ContractError as exc:
            problems += exc.problems
    return problems
