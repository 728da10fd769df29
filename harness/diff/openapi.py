"""The OpenAPI rules: operations, parameters, bodies, responses, security and sunsets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from harness.contract.source import PathKey
from harness.diff.change import Change, Severity
from harness.diff.document import Document
from harness.diff.operations import Op, has_sunset_header, operations, parameters_of, sunset_of
from harness.diff.schema import Node, SchemaDiff
from harness.diff.security import describe, requirements, scheme_fields, security_schemes

SECTION = "endpoints"


def diff_openapi(old: Document, new: Document, today: dt.date) -> list[Change]:
    """Every classified change between two OpenAPI documents."""
    rules = _Rules(old, new, today)
    before, after = operations(old), operations(new)
    for key, op in before.items():
        if key not in after:
            rules.removed(op)
        else:
            rules.operation(op, after[key])
    for key, op in after.items():
        if key not in before:
            rules.emit(
                "operation-added",
                Severity.NON_BREAKING,
                op.label,
                "new operation",
                "nothing to do; use it when we need it",
                old_at=None,
                new_at=op.where,
            )
    rules.schemes()
    return rules.changes


class _Rules:
    def __init__(self, old: Document, new: Document, today: dt.date) -> None:
        self.old, self.new, self.today = old, new, today
        self.changes: list[Change] = []
        self.seen: dict[bool, set[tuple[PathKey, PathKey]]] = {True: set(), False: set()}

    def emit(
        self,
        kind: str,
        severity: Severity,
        subject: str,
        message: str,
        migration: str,
        *,
        old_at: PathKey | None,
        new_at: PathKey | None,
    ) -> None:
        self.changes.append(
            Change(
                section=SECTION,
                kind=kind,
                severity=severity,
                subject=subject,
                message=message,
                migration=migration,
                old=self.old.locate(old_at) if old_at is not None else None,
                new=self.new.locate(new_at) if new_at is not None else None,
            )
        )

    def schema(self, request: bool) -> SchemaDiff:
        return SchemaDiff(self.old, self.new, SECTION, request, seen=self.seen[request])

    def removed(self, op: Op) -> None:
        sunset = sunset_of(op.value)
        if op.value.get("deprecated") is True and (sunset is None or sunset <= self.today):
            message = "deprecated operation removed" + (f" (sunset {sunset})" if sunset else "")
            fix = f"confirm nothing of ours still calls {op.label}"
            self.emit(
                "operation-removed-after-deprecation",
                Severity.NEEDS_REVIEW,
                op.label,
                message,
                fix,
                old_at=op.where,
                new_at=None,
            )
            return
        message = f"operation {op.method.upper()} {op.path} removed"
        if sunset is not None:
            message += f" before its sunset date {sunset}"
        fix = f"stop calling {op.label}; find its replacement in the vendor's changelog"
        self.emit(
            "operation-removed",
            Severity.BREAKING,
            op.label,
            message,
            fix,
            old_at=op.where,
            new_at=None,
        )

    def operation(self, old: Op, new: Op) -> None:
        self.lifecycle(old, new)
        self.parameters(old, new)
        self.body(old, new)
        self.responses(old, new)
        self.security(old, new)

    def lifecycle(self, old: Op, new: Op) -> None:
        if new.value.get("deprecated") is True and old.value.get("deprecated") is not True:
            fix = f"plan the move off {new.label} before its sunset"
            self.emit(
                "operation-deprecated",
                Severity.NEEDS_REVIEW,
                new.label,
                "operation deprecated",
                fix,
                old_at=old.where,
                new_at=new.where,
            )
        if has_sunset_header(self.new, new) and not has_sunset_header(self.old, old):
            self.emit(
                "sunset-header-added",
                Severity.NEEDS_REVIEW,
                new.label,
                "responses now carry a Sunset header (RFC 8594)",
                f"log the Sunset date of {new.label} responses and plan the move",
                old_at=old.where,
                new_at=new.where,
            )
        sunset = sunset_of(new.value)
        if sunset is None or sunset == sunset_of(old.value):
            return
        where = (*new.where, "x-sunset")
        if sunset <= self.today:
            message = f"sunset date {sunset} reached"
            fix = f"move off {new.label} now: the vendor may remove it any day"
            self.emit(
                "sunset-reached",
                Severity.BREAKING,
                new.label,
                message,
                fix,
                old_at=old.where,
                new_at=where,
            )
        else:
            message = f"sunset date set to {sunset}"
            fix = f"move off {new.label} before {sunset}"
            self.emit(
                "sunset-set",
                Severity.NEEDS_REVIEW,
                new.label,
                message,
                fix,
                old_at=old.where,
                new_at=where,
            )

    def parameters(self, old: Op, new: Op) -> None:
        before, after = parameters_of(self.old, old), parameters_of(self.new, new)
        diff = self.schema(request=True)
        for key, (value, where) in before.items():
            subject = f"{old.label} {key[0]} parameter {key[1]}"
            if key not in after:
                self.emit(
                    "request-parameter-removed",
                    Severity.NEEDS_REVIEW,
                    subject,
                    "parameter removed",
                    "stop sending it",
                    old_at=where,
                    new_at=None,
                )
                continue
            new_value, new_where = after[key]
            if new_value.get("deprecated") is True and value.get("deprecated") is not True:
                self.emit(
                    "request-parameter-deprecated",
                    Severity.NEEDS_REVIEW,
                    subject,
                    "parameter deprecated",
                    "stop sending it before the vendor drops it",
                    old_at=where,
                    new_at=new_where,
                )
            if new_value.get("required") is True and value.get("required") is not True:
                self.emit(
                    "request-parameter-became-required",
                    Severity.BREAKING,
                    subject,
                    "parameter became required",
                    "always send it",
                    old_at=where,
                    new_at=new_where,
                )
            diff.compare(
                Node(value.get("schema"), (*where, "schema")),
                Node(new_value.get("schema"), (*new_where, "schema")),
                subject,
            )
        for key, (value, where) in after.items():
            if key not in before:
                self.parameter_added(f"{new.label} {key[0]} parameter {key[1]}", value, where)
        self.changes += diff.changes

    def parameter_added(self, subject: str, value: Mapping[str, Any], where: PathKey) -> None:
        if value.get("required") is True:
            self.emit(
                "new-required-request-parameter",
                Severity.BREAKING,
                subject,
                "new required parameter",
                "send it on every call",
                old_at=None,
                new_at=where,
            )
        else:
            self.emit(
                "new-optional-request-parameter",
                Severity.NON_BREAKING,
                subject,
                "new optional parameter",
                "nothing to do",
                old_at=None,
                new_at=where,
            )

    def body(self, old: Op, new: Op) -> None:
        before, old_at = self.old.resolve(old.value.get("requestBody"), (*old.where, "requestBody"))
        after, new_at = self.new.resolve(new.value.get("requestBody"), (*new.where, "requestBody"))
        subject = f"{new.label} request body"
        if not isinstance(after, Mapping):
            if isinstance(before, Mapping):
                self.emit(
                    "request-body-removed",
                    Severity.BREAKING,
                    subject,
                    "request body removed",
                    "stop sending a body; check where the data goes now",
                    old_at=old_at,
                    new_at=None,
                )
            return
        if after.get("required") is True and not (
            isinstance(before, Mapping) and before.get("required") is True
        ):
            self.emit(
                "request-body-became-required",
                Severity.BREAKING,
                subject,
                "request body became required",
                "always send a body",
                old_at=old_at,
                new_at=new_at,
            )
        if isinstance(before, Mapping):
            self.content(before, after, (old_at, new_at), subject, request=True)

    def responses(self, old: Op, new: Op) -> None:
        before, after = old.value.get("responses") or {}, new.value.get("responses") or {}
        if not isinstance(before, Mapping) or not isinstance(after, Mapping):
            return
        for status, response in before.items():
            where = (*old.where, "responses", str(status))
            subject = f"{old.label} response {status}"
            if status not in after:
                self.status_removed(str(status), subject, where)
                continue
            new_where = (*new.where, "responses", str(status))
            old_value, old_at = self.old.resolve(response, where)
            new_value, new_at = self.new.resolve(after[status], new_where)
            if isinstance(old_value, Mapping) and isinstance(new_value, Mapping):
                self.content(old_value, new_value, (old_at, new_at), subject, request=False)
        for status in after:
            if status not in before:
                self.emit(
                    "response-status-added",
                    Severity.NON_BREAKING,
                    f"{new.label} response {status}",
                    f"new status {status}",
                    "handle it (add it to the error table if it is an error)",
                    old_at=None,
                    new_at=(*new.where, "responses", str(status)),
                )

    def status_removed(self, status: str, subject: str, where: PathKey) -> None:
        if status.startswith("2"):
            self.emit(
                "response-success-status-removed",
                Severity.BREAKING,
                subject,
                f"success status {status} no longer returned",
                f"accept the new success status instead of {status}",
                old_at=where,
                new_at=None,
            )
        else:
            self.emit(
                "response-non-success-status-removed",
                Severity.NEEDS_REVIEW,
                subject,
                f"status {status} no longer documented",
                f"check what the vendor returns instead of {status}",
                old_at=where,
                new_at=None,
            )

    def content(
        self,
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        at: tuple[PathKey, PathKey],
        subject: str,
        *,
        request: bool,
    ) -> None:
        before, after = old.get("content") or {}, new.get("content") or {}
        if not isinstance(before, Mapping) or not isinstance(after, Mapping):
            return
        side = "request" if request else "response"
        diff = self.schema(request=request)
        for media, value in before.items():
            where = (*at[0], "content", str(media))
            if media not in after:
                self.emit(
                    f"{side}-media-type-removed",
                    Severity.BREAKING,
                    subject,
                    f"media type {media} removed",
                    f"use one of {', '.join(after) or 'none'}",
                    old_at=where,
                    new_at=None,
                )
                continue
            new_where = (*at[1], "content", str(media))
            old_schema = value.get("schema") if isinstance(value, Mapping) else None
            new_value = after[media]
            new_schema = new_value.get("schema") if isinstance(new_value, Mapping) else None
            diff.compare(
                Node(old_schema, (*where, "schema")),
                Node(new_schema, (*new_where, "schema")),
                subject,
            )
        self.changes += diff.changes

    def security(self, old: Op, new: Op) -> None:
        before, after = requirements(self.old, old.value), requirements(self.new, new.value)
        if before == after:
            return
        still = any(any(b[0] <= a[0] and b[1] <= a[1] for b in after) for a in before) or not after
        message = f"security changed from {describe(before)} to {describe(after)}"
        fix = "request the new scopes / credentials before switching"
        severity = Severity.NEEDS_REVIEW if still else Severity.BREAKING
        self.emit(
            "security-changed",
            severity,
            new.label,
            message,
            fix,
            old_at=old.where,
            new_at=new.where,
        )

    def schemes(self) -> None:
        before, after = security_schemes(self.old), security_schemes(self.new)
        for name, value in before.items():
            where = ("components", "securitySchemes", name)
            if name not in after:
                self.emit(
                    "security-scheme-removed",
                    Severity.BREAKING,
                    name,
                    "security scheme removed",
                    "switch to the scheme the vendor names now",
                    old_at=where,
                    new_at=None,
                )
                continue
            for field, old_value, new_value in scheme_fields(value, after[name]):
                self.emit(
                    "security-scheme-changed",
                    Severity.BREAKING,
                    name,
                    f"{field} changed from {old_value!r} to {new_value!r}",
                    f"update our auth settings ({field})",
                    old_at=where,
                    new_at=where,
                )
