"""The schema and operation rules of ``harness diff`` on small hand-made documents."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from harness.diff import Severity
from harness.diff.compare import diff_documents
from harness.diff.document import Document

TODAY = dt.date(2026, 12, 2)


def document(schemas: dict[str, Any], *, operation: dict[str, Any] | None = None) -> Document:
    raw = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/items/{id}": {
                "post": operation
                or {
                    "operationId": "saveItem",
                    "requestBody": {
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Item"}}
                        }
                    },
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Item"}
                                }
                            },
                        }
                    },
                }
            }
        },
        "components": {"schemas": schemas},
    }
    return Document(raw=raw, path=None, display="doc.yaml")


def kinds(old: Document, new: Document) -> set[tuple[str, Severity]]:
    report = diff_documents(old, new, today=TODAY)
    return {(change.kind, change.severity) for change in report.changes}


ITEM = {"type": "object", "required": ["name"], "properties": {
    "name": {"type": "string", "maxLength": 50},
    "kind": {"type": "string", "enum": ["a", "b"]},
    "child": {"$ref": "#/components/schemas/Item"},
}}  # fmt: skip


def changed(**properties: Any) -> dict[str, Any]:
    item = {**ITEM, "properties": {**ITEM["properties"], **properties}}  # type: ignore[dict-item]
    return {"Item": item}


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        (changed(name={"type": "string", "maxLength": 20}),
         ("request-constraint-narrowed", Severity.BREAKING)),
        (changed(kind={"type": "string", "enum": ["a"]}),
         ("request-enum-value-removed", Severity.BREAKING)),
        (changed(kind={"type": "string", "enum": ["a", "b", "c"]}),
         ("response-enum-value-added", Severity.NEEDS_REVIEW)),
        (changed(name={"type": "integer"}), ("response-type-changed", Severity.BREAKING)),
        (changed(name={"type": ["string", "null"], "maxLength": 50}),
         ("response-became-nullable", Severity.BREAKING)),
    ],
)  # fmt: skip
def test_schema_changes_are_classified_by_direction(
    new: dict[str, Any], expected: tuple[str, Severity]
) -> None:
    assert expected in kinds(document({"Item": ITEM}), document(new))


def test_a_self_referencing_schema_is_walked_once_and_terminates() -> None:
    # Item.child → Item: the walk must stop at the pair it has seen (no RecursionError).
    new = changed(kind={"type": "string", "enum": ["a"]})
    report = diff_documents(document({"Item": ITEM}), document(new), today=TODAY)
    narrowed = [c for c in report.changes if c.kind == "request-enum-value-removed"]
    assert len(narrowed) == 1


def test_a_ref_loop_without_content_is_reported_as_is_not_followed_forever() -> None:
    loop = {"A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"},
            "Item": {"$ref": "#/components/schemas/A"}}  # fmt: skip
    assert diff_documents(document(loop), document(loop), today=TODAY).changes == ()


def test_a_widened_integer_request_type_is_not_breaking() -> None:
    new = changed(name={"type": "number"})
    old = changed(name={"type": "integer"})
    assert ("request-type-changed", Severity.BREAKING) not in kinds(document(old), document(new))


def test_a_new_required_request_field_breaks_unless_read_only() -> None:
    added = {**ITEM, "required": ["name", "id"], "properties": {**ITEM["properties"],
             "id": {"type": "string", "readOnly": True}}}  # fmt: skip
    found = kinds(document({"Item": ITEM}), document({"Item": added}))
    assert ("new-required-request-property", Severity.BREAKING) not in found
    assert ("response-property-added", Severity.NON_BREAKING) in found
    added["properties"]["id"] = {"type": "string"}  # type: ignore[index]
    found = kinds(document({"Item": ITEM}), document({"Item": added}))
    assert ("new-required-request-property", Severity.BREAKING) in found


def test_a_success_status_replaced_is_breaking_and_a_sunset_reached_too() -> None:
    old_op = {"operationId": "saveItem", "responses": {"200": {"description": "ok"}}}
    new_op = {"operationId": "saveItem", "deprecated": True, "x-sunset": "2026-11-30",
              "responses": {"201": {"description": "created"}}}  # fmt: skip
    found = kinds(document({}, operation=old_op), document({}, operation=new_op))
    assert ("response-success-status-removed", Severity.BREAKING) in found
    assert ("sunset-reached", Severity.BREAKING) in found
    assert ("operation-deprecated", Severity.NEEDS_REVIEW) in found


def test_a_path_parameter_rename_is_the_same_operation() -> None:
    old = document({"Item": ITEM})
    raw = dict(old.raw)
    raw["paths"] = {"/items/{key}": old.raw["paths"]["/items/{id}"]}
    assert diff_documents(old, Document(raw=raw, path=None, display="d"), today=TODAY).changes == ()


def test_a_sunset_header_and_a_deprecated_parameter_ask_for_review() -> None:
    parameter = {"name": "q", "in": "query", "schema": {"type": "string"}}
    old_op = {
        "operationId": "find",
        "parameters": [parameter],
        "responses": {"200": {"description": "ok"}},
    }
    new_op = {
        "operationId": "find",
        "parameters": [{**parameter, "deprecated": True}],
        "responses": {
            "200": {"description": "ok", "headers": {"Sunset": {"schema": {"type": "string"}}}}
        },
    }
    found = kinds(document({}, operation=old_op), document({}, operation=new_op))
    assert ("sunset-header-added", Severity.NEEDS_REVIEW) in found
    assert ("request-parameter-deprecated", Severity.NEEDS_REVIEW) in found
