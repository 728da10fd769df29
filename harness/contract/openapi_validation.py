"""Validate an OpenAPI 3.0/3.1 document quickly enough for vendor documents of 10+ MB.

The structure is checked against the official OpenAPI meta-schemas (as shipped by
openapi-spec-validator, read through ``harness._compat``) with the Rust validator
``jsonschema_rs``; then every local ``$ref`` is resolved, and ``$ref`` cycles that no
validator could evaluate are reported. Full semantic validation with openapi-spec-validator
takes ~100x longer on large documents and adds little that the later checks do not catch.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from itertools import islice
from typing import Any

import jsonschema_rs

from harness._compat.openapi_spec_validator import meta_schema
from harness.contract.refs import RefError, follow_pointer, ref_cycles
from harness.contract.source import PathKey

MAX_REPORTED = 10


@cache
def _meta_validator(version: str) -> Any:
    return jsonschema_rs.validator_for(meta_schema(version))


def document_errors(raw: dict[str, Any], version: str) -> list[tuple[PathKey, str]]:
    """Up to ``MAX_REPORTED`` (JSON path, message) pairs; empty when the document is valid."""
    validator = _meta_validator(version)
    errors = [
        (tuple(error.instance_path), _short(str(error.message)))
        for error in islice(validator.iter_errors(raw), MAX_REPORTED)
    ]
    if errors:
        return errors
    errors = list(islice(_dangling_refs(raw), MAX_REPORTED))
    if errors:
        return errors
    return [
        (where, f"{CYCLE_MESSAGE}: {' → '.join(cycle)}")
        for where, cycle in ref_cycles(raw, limit=MAX_REPORTED)
    ]


CYCLE_MESSAGE = "$ref cycle that never reaches a schema"
CYCLE_HINT = (
    "a schema cannot be (allOf/anyOf/oneOf) itself; a recursive type goes through "
    "'properties' or 'items' (children: {type: array, items: {$ref: ...}})"
)


def _short(message: str) -> str:
    first = message.splitlines()[0]
    return first if len(first) <= 200 else first[:197] + "..."


def _dangling_refs(raw: dict[str, Any]) -> Iterator[tuple[PathKey, str]]:
    stack: list[tuple[PathKey, Any]] = [((), raw)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#") and not _resolves(raw, ref):
                yield (*path, "$ref"), f"$ref '{ref}' points at nothing in this document"
            stack.extend(((*path, key), value) for key, value in node.items())
        elif isinstance(node, list):
            stack.extend(((*path, index), value) for index, value in enumerate(node))


def _resolves(raw: Any, ref: str) -> bool:
    try:
        follow_pointer(raw, ref)
    except RefError:
        return False
    return True
