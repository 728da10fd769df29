"""The OpenAPI rules of ``harness diff`` against oasdiff's published rules and test documents.

Each vector is a document pair from oasdiff's own test data (tests/fixtures/diff/oasdiff, see
NOTICE there), the rule id oasdiff's checker reports for it and that rule's level in
oasdiff's checker/rules.go (ERR = breaking, WARN = needs review, INFO = not breaking).
harness must report the mapped change kind, at least as severe as oasdiff; where the two
disagree, the vector says why and cites the specification.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NamedTuple

import pytest

from harness.diff import Severity
from harness.diff.compare import diff_documents
from harness.diff.inputs import load_document

FIXTURES = Path(__file__).parents[1] / "fixtures" / "diff" / "oasdiff"
TODAY = dt.date(2026, 12, 2)  # the deprecation vectors' sunsets: 2022-08-10 (past), 9999 (future)


class Vector(NamedTuple):
    old: str
    new: str
    rule: str  # oasdiff's rule id
    level: str  # its level in oasdiff's rules.go
    kind: str | None  # harness's change kind (None: harness must report nothing breaking)
    severity: Severity | None = None  # when harness differs from oasdiff's level on purpose


def pair(stem: str, *, reverse: bool = False) -> tuple[str, str]:
    base, revision = f"{stem}_base.yaml", f"{stem}_revision.yaml"
    return (revision, base) if reverse else (base, revision)


VECTORS = [
    Vector(
        *pair("request_parameter_became_enum"),
        "request-parameter-became-enum",
        "ERR",
        "request-became-enum",
    ),
    Vector(
        *pair("request_parameter_enum_value_updated"),
        "request-parameter-enum-value-removed",
        "ERR",
        "request-enum-value-removed",
    ),
    Vector(
        *pair("request_parameter_max_length_updated", reverse=True),
        "request-parameter-max-length-decreased",
        "ERR",
        "request-constraint-narrowed",
    ),
    Vector(
        *pair("request_parameter_max_length_updated"),
        "request-parameter-max-length-increased",
        "INFO",
        None,
    ),
    Vector(
        *pair("request_parameter_min_increased"),
        "request-parameter-min-increased",
        "ERR",
        "request-constraint-narrowed",
    ),
    Vector(
        *pair("request_parameter_min_items_increased"),
        "request-parameter-min-items-increased",
        "ERR",
        "request-constraint-narrowed",
    ),
    Vector(
        *pair("request_parameter_max_updated", reverse=True),
        "request-parameter-max-decreased",
        "ERR",
        "request-constraint-narrowed",
    ),
    Vector(
        *pair("request_property_min_increased"),
        "request-property-min-increased",
        "ERR",
        "request-constraint-narrowed",
    ),
    Vector(
        *pair("request_property_type_changed"),
        "request-property-type-changed",
        "ERR",
        "request-type-changed",
    ),
    Vector(
        *pair("response_schema_type_changed"),
        "response-body-type-changed",
        "ERR",
        "response-type-changed",
    ),
    Vector(
        *pair("response_optional_property_removed"),
        "response-optional-property-removed",
        "WARN",
        "response-optional-property-removed",
    ),
    Vector(
        *pair("response_property_became_optional"),
        "response-property-became-optional",
        "ERR",
        "response-property-became-optional",
    ),
    Vector(
        *pair("response_property_became_optional", reverse=True),
        "response-property-became-required",
        "INFO",
        None,
    ),
    # Disagreement: oasdiff rates a scope added to an operation's security requirement INFO.
    # OpenAPI 3.1 §4.8.30 (Security Requirement Object): for oauth2 the value is "a list of
    # scope names required for the execution"; a token granted only the old scopes no longer
    # satisfies the requirement, so an existing client is rejected (403): breaking for us.
    Vector(
        *pair("api_security_updated", reverse=True),
        "api-security-scope-added",
        "INFO",
        "security-changed",
        Severity.BREAKING,
    ),
    Vector(
        *pair("request_body_media_type_updated", reverse=True),
        "request-body-media-type-removed",
        "ERR",
        "request-media-type-removed",
    ),
    Vector(
        *pair("request_property_added"),
        "new-required-request-property",
        "ERR",
        "new-required-request-property",
    ),
    Vector(
        *pair("request_parameter_pattern_added_or_changed", reverse=True),
        "request-parameter-pattern-added",
        "ERR",
        "request-pattern-added",
    ),
    Vector(
        *pair("request_property_min_items_increased"),
        "request-body-min-items-increased",
        "ERR",
        "request-constraint-narrowed",
    ),
    Vector(
        *pair("response_required_property_added"), "response-required-property-added", "INFO", None
    ),
    Vector(*pair("request_body_removed"), "request-body-removed", "ERR", "request-body-removed"),
    Vector(
        *pair("request_property_became_nullable", reverse=True),
        "request-property-became-not-nullable",
        "ERR",
        "request-became-not-nullable",
    ),
    Vector(
        "deprecation/deprecated-future.yaml",
        "deprecation/sunset.yaml",
        "api-removed-before-sunset",
        "ERR",
        "operation-removed",
    ),
    Vector(
        "deprecation/base.yaml",
        "deprecation/sunset.yaml",
        "api-removed-without-deprecation",
        "ERR",
        "operation-removed",
    ),
    # oasdiff reports nothing: removal after the sunset date is allowed. harness agrees it is
    # not breaking but asks for a review (is anything of ours still calling it?).
    Vector("deprecation/deprecated-past.yaml", "deprecation/sunset.yaml", "(none)", "INFO", None),
    Vector(
        "deprecation/base.yaml",
        "deprecation/deprecated-future.yaml",
        "api-deprecated",
        "INFO",
        None,
    ),
]

LEVELS = {"ERR": Severity.BREAKING, "WARN": Severity.NEEDS_REVIEW}


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: f"{v.rule}:{v.old}")
def test_harness_agrees_with_oasdiff(vector: Vector) -> None:
    report = diff_documents(
        load_document(str(FIXTURES / vector.old)),
        load_document(str(FIXTURES / vector.new)),
        today=TODAY,
    )
    kinds = [(change.kind, change.severity) for change in report.changes]
    if vector.kind is None:
        assert not report.breaking, f"oasdiff: {vector.rule} is {vector.level}; harness: {kinds}"
        return
    expected = vector.severity or LEVELS[vector.level]
    assert (vector.kind, expected) in kinds, f"oasdiff: {vector.rule} {vector.level}; got {kinds}"
    located = [c for c in report.changes if c.kind == vector.kind]
    assert all((c.old or c.new) and (c.old or c.new).line > 0 for c in located)  # type: ignore[union-attr]


def test_the_vectors_cover_at_least_twenty_pairs() -> None:
    assert len({(v.old, v.new) for v in VECTORS}) >= 20
