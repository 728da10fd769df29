"""Security requirements and schemes of an OpenAPI document, as a diff compares them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from harness.diff.document import Document

#: one alternative of a security requirement: the scheme names and the scopes they need
Requirement = tuple[frozenset[str], frozenset[str]]


def requirements(document: Document, operation: Mapping[str, Any]) -> frozenset[Requirement]:
    """The security alternatives of an operation (its own, or the document's default)."""
    declared = operation.get("security", document.raw.get("security"))
    found: set[Requirement] = set()
    for entry in declared or ():
        if isinstance(entry, Mapping):
            scopes = {str(s) for value in entry.values() for s in value or ()}
            found.add((frozenset(str(name) for name in entry), frozenset(scopes)))
    return frozenset(found)


def describe(requirements: frozenset[Requirement]) -> str:
    if not requirements:
        return "none"
    parts = [
        "+".join(sorted(names)) + (f"[{' '.join(sorted(scopes))}]" if scopes else "")
        for names, scopes in requirements
    ]
    return " or ".join(sorted(parts))


def security_schemes(document: Document) -> dict[str, Mapping[str, Any]]:
    components = document.raw.get("components")
    schemes = components.get("securitySchemes") if isinstance(components, Mapping) else None
    found: dict[str, Mapping[str, Any]] = {}
    for name, value in schemes.items() if isinstance(schemes, Mapping) else ():
        resolved, _ = document.resolve(value, ("components", "securitySchemes", name))
        if isinstance(resolved, Mapping):
            found[str(name)] = resolved
    return found


def scheme_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[tuple[str, Any, Any]]:
    for field in ("type", "scheme", "in", "name"):
        if old.get(field) != new.get(field):
            yield field, old.get(field), new.get(field)
    old_flows, new_flows = old.get("flows") or {}, new.get("flows") or {}
    if isinstance(old_flows, Mapping) and isinstance(new_flows, Mapping):
        for flow, value in old_flows.items():
            other = new_flows.get(flow)
            if not isinstance(other, Mapping) or not isinstance(value, Mapping):
                yield f"flows.{flow}", "present", "absent"
                continue
            for field in ("tokenUrl", "authorizationUrl"):
                if value.get(field) != other.get(field):
                    yield f"flows.{flow}.{field}", value.get(field), other.get(field)
