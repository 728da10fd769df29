"""Compare two JSON Schemas of a request or a response, bounded against ``$ref`` cycles.

Direction matters: a request schema may only widen (we send what used to be valid), a
response schema may only narrow (we read what used to be possible).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.contract.source import PathKey
from harness.diff.change import Change, Severity
from harness.diff.document import Document

MAX_DEPTH = 24
_UPPER = ("maxLength", "maximum", "maxItems", "maxProperties")
_LOWER = ("minLength", "minimum", "minItems", "minProperties")


@dataclass(frozen=True, slots=True)
class Node:
    """A schema node and its path in its document (after ``$ref``s are followed)."""

    value: Any
    where: PathKey


@dataclass(slots=True)
class View:
    """A schema with its ``allOf`` merged: what a diff compares."""

    types: frozenset[str] | None = None
    nullable: bool = False
    enum: tuple[Any, ...] | None = None
    properties: dict[str, Node] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    items: Node | None = None
    limits: dict[str, Any] = field(default_factory=dict)


def view_of(document: Document, node: Node, depth: int = 0) -> View:
    """The merged view of a schema (``allOf`` parts folded in, to a bounded depth)."""
    value, where = document.resolve(node.value, node.where)
    found = View()
    if not isinstance(value, Mapping) or depth > 8:
        return found
    for index, part in enumerate(value.get("allOf") or ()):
        _merge(found, view_of(document, Node(part, (*where, "allOf", index)), depth + 1))
    _merge(found, _own_view(value, where))
    return found


def _own_view(value: Mapping[str, Any], where: PathKey) -> View:
    declared = value.get("type")
    types = [declared] if isinstance(declared, str) else list(declared or ())
    own = View(
        types=frozenset(str(t) for t in types if t != "null") or None,
        nullable="null" in types or value.get("nullable") is True,
        enum=tuple(value["enum"]) if isinstance(value.get("enum"), list) else None,
        required={str(name) for name in value.get("required") or () if isinstance(name, str)},
        limits={key: value[key] for key in (*_UPPER, *_LOWER, "pattern") if key in value},
    )
    properties = value.get("properties")
    if isinstance(properties, Mapping):
        for name, schema in properties.items():
            own.properties[str(name)] = Node(schema, (*where, "properties", str(name)))
    if isinstance(value.get("items"), Mapping):
        own.items = Node(value["items"], (*where, "items"))
    return own


def _merge(into: View, part: View) -> None:
    into.types = part.types or into.types
    into.nullable = into.nullable or part.nullable
    into.enum = part.enum if part.enum is not None else into.enum
    into.properties.update(part.properties)
    into.required |= part.required
    into.items = part.items or into.items
    into.limits.update(part.limits)


@dataclass(slots=True)
class SchemaDiff:
    """Walks two schemas side by side and appends a ``Change`` for each difference."""

    old: Document
    new: Document
    section: str
    request: bool
    changes: list[Change] = field(default_factory=list)
    #: pairs of nodes already compared: shared by every walk of one diff, so a component used
    #: by many operations is compared once (and a $ref cycle ends)
    seen: set[tuple[PathKey, PathKey]] = field(default_factory=set)

    def compare(self, old: Node, new: Node, subject: str, depth: int = 0) -> None:
        old_value, old_where = self.old.resolve(old.value, old.where)
        new_value, new_where = self.new.resolve(new.value, new.where)
        key = (old_where, new_where)
        if key in self.seen or depth > MAX_DEPTH:
            return
        self.seen.add(key)
        old_view = view_of(self.old, Node(old_value, old_where))
        new_view = view_of(self.new, Node(new_value, new_where))
        at = (old_where, new_where)
        self._types(old_view, new_view, subject, at)
        self._enum(old_view, new_view, subject, at)
        self._limits(old_view, new_view, subject, at)
        self._properties(old_view, new_view, subject, depth)
        if old_view.items is not None and new_view.items is not None:
            self.compare(old_view.items, new_view.items, f"{subject}[]", depth + 1)

    def add(
        self,
        kind: str,
        severity: Severity,
        subject: str,
        message: str,
        migration: str,
        *,
        at: tuple[PathKey | None, PathKey | None],
    ) -> None:
        old_at, new_at = at
        self.changes.append(
            Change(
                section=self.section,
                kind=kind,
                severity=severity,
                subject=subject,
                message=message,
                migration=migration,
                old=self.old.locate(old_at) if old_at is not None else None,
                new=self.new.locate(new_at) if new_at is not None else None,
            )
        )

    def _types(self, old: View, new: View, subject: str, at: tuple[PathKey, PathKey]) -> None:
        side = "request" if self.request else "response"
        if old.types and new.types:
            lost = (
                _not_accepted(old.types, new.types)
                if self.request
                else _not_accepted(new.types, old.types)
            )
            if lost:
                message = f"type changed from {_names(old.types)} to {_names(new.types)}"
                fix = (
                    f"send {subject} as {_names(new.types)}"
                    if self.request
                    else f"parse {subject} as {_names(new.types)} in our mapping"
                )
                self.add(f"{side}-type-changed", Severity.BREAKING, subject, message, fix, at=at)
        if self.request and old.nullable and not new.nullable:
            message = "no longer accepts null"
            fix = f"omit {subject} (or send a value) instead of null"
            self.add("request-became-not-nullable", Severity.BREAKING, subject, message, fix, at=at)
        if not self.request and new.nullable and not old.nullable:
            message = "may now be null"
            fix = f"handle null in {subject} before mapping it"
            self.add("response-became-nullable", Severity.BREAKING, subject, message, fix, at=at)

    def _enum(self, old: View, new: View, subject: str, at: tuple[PathKey, PathKey]) -> None:
        if self.request and new.enum is not None:
            if old.enum is None:
                message = f"now restricted to {_values(new.enum)}"
                fix = f"send only {_values(new.enum)} in {subject}"
                self.add("request-became-enum", Severity.BREAKING, subject, message, fix, at=at)
                return
            removed = _missing(old.enum, new.enum)
            if removed:
                message = f"enum values removed: {_values(removed)}"
                fix = f"stop sending {_values(removed)} in {subject}; update the enum mapping"
                kind = "request-enum-value-removed"
                self.add(kind, Severity.BREAKING, subject, message, fix, at=at)
        if not self.request and old.enum is not None:
            added = _missing(new.enum or (), old.enum)
            if added:
                message = f"enum values added: {_values(added)}"
                fix = f"map {_values(added)} of {subject} (or reject them explicitly)"
                kind = "response-enum-value-added"
                self.add(kind, Severity.NEEDS_REVIEW, subject, message, fix, at=at)

    def _limits(self, old: View, new: View, subject: str, at: tuple[PathKey, PathKey]) -> None:
        for key in (*_UPPER, *_LOWER):
            before, after = old.limits.get(key), new.limits.get(key)
            if before == after or not _numbers(before, after):
                continue
            tighter = _tighter(key, before, after)
            if self.request and tighter:
                message = f"{key} narrowed from {_shown(before)} to {_shown(after)}"
                fix = f"validate {subject} against {key} {after} before sending"
                self.add(
                    "request-constraint-narrowed", Severity.BREAKING, subject, message, fix, at=at
                )
            elif not self.request and not tighter:
                message = f"{key} widened from {_shown(before)} to {_shown(after)}"
                fix = f"check that our field for {subject} holds {key} {_shown(after)}"
                kind = "response-constraint-widened"
                self.add(kind, Severity.NEEDS_REVIEW, subject, message, fix, at=at)
        before, after = old.limits.get("pattern"), new.limits.get("pattern")
        if self.request and after is not None and before != after:
            # a new pattern only narrows; a changed one may narrow or widen: a human decides
            added = before is None
            message = f"pattern {'added' if added else 'changed'}: {after!r}"
            fix = f"check that the values we send in {subject} match {after!r}"
            kind, severity = (
                ("request-pattern-added", Severity.BREAKING)
                if added
                else ("request-pattern-changed", Severity.NEEDS_REVIEW)
            )
            self.add(kind, severity, subject, message, fix, at=at)

    def _properties(self, old: View, new: View, subject: str, depth: int) -> None:
        for name, node in old.properties.items():
            child = f"{subject}.{name}"
            if name not in new.properties:
                self._removed(name, node, old, child)
                continue
            self._required(name, old, new, child, (node.where, new.properties[name].where))
            self.compare(node, new.properties[name], child, depth + 1)
        for name, node in new.properties.items():
            if name not in old.properties:
                self._added(name, node, new, f"{subject}.{name}")

    def _removed(self, name: str, node: Node, old: View, subject: str) -> None:
        at = (node.where, None)
        if self.request:
            message = "request field removed"
            fix = f"stop sending {subject}; the vendor ignores or rejects it"
            self.add(
                "request-property-removed", Severity.NEEDS_REVIEW, subject, message, fix, at=at
            )
        elif name in old.required and not _flag(self.old, node, "writeOnly"):
            message = "required response field removed"
            fix = f"stop reading {subject}; map our field from another source"
            kind = "response-required-property-removed"
            self.add(kind, Severity.BREAKING, subject, message, fix, at=at)
        else:
            message = "optional response field removed"
            fix = f"stop reading {subject} (it was optional: check we do not rely on it)"
            kind = "response-optional-property-removed"
            self.add(kind, Severity.NEEDS_REVIEW, subject, message, fix, at=at)

    def _added(self, name: str, node: Node, new: View, subject: str) -> None:
        at = (None, node.where)
        if self.request and name in new.required and not _flag(self.new, node, "readOnly"):
            message = "new required request field"
            fix = f"send {subject} in every request (add it to our mapping)"
            kind = "new-required-request-property"
            self.add(kind, Severity.BREAKING, subject, message, fix, at=at)
        else:
            kind = "request-property-added" if self.request else "response-property-added"
            message = "new optional field" if self.request else "new response field"
            fix = "nothing to do; map it if we need it"
            self.add(kind, Severity.NON_BREAKING, subject, message, fix, at=at)

    def _required(
        self, name: str, old: View, new: View, subject: str, at: tuple[PathKey, PathKey]
    ) -> None:
        became = name in new.required and name not in old.required
        if self.request and became and not _flag(self.new, Node(None, at[1]), "readOnly"):
            message = "request field became required"
            fix = f"always send {subject}"
            kind = "request-property-became-required"
            self.add(kind, Severity.BREAKING, subject, message, fix, at=at)
        if not self.request and name in old.required and name not in new.required:
            message = "response field became optional"
            fix = f"handle a missing {subject} (default it or skip the record)"
            kind = "response-property-became-optional"
            self.add(kind, Severity.BREAKING, subject, message, fix, at=at)


def _flag(document: Document, node: Node, flag: str) -> bool:
    value = node.value
    if value is None:
        found = document.pointer(
            "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in node.where)
        )
        value = found[0] if found else None
    if isinstance(value, Mapping) and value.get(flag) is True:
        return True
    resolved, _ = document.resolve(value, node.where)
    return isinstance(resolved, Mapping) and resolved.get(flag) is True


def _missing(values: tuple[Any, ...], among: tuple[Any, ...]) -> list[Any]:
    """The ``values`` not in ``among`` (a set lookup when the values allow it)."""
    try:
        present: set[Any] | tuple[Any, ...] = set(among)
    except TypeError:  # unhashable enum members (objects, arrays)
        present = among
    return [value for value in values if value not in present]


def _not_accepted(sent: frozenset[str], accepted: frozenset[str]) -> set[str]:
    return {t for t in sent if t not in accepted and not (t == "integer" and "number" in accepted)}


def _tighter(key: str, before: Any, after: Any) -> bool:
    """Whether moving ``key`` from ``before`` to ``after`` (None: unset) narrows the schema."""
    if before is None:
        return True
    if after is None:
        return False
    return bool(after < before) if key in _UPPER else bool(after > before)


def _numbers(*values: Any) -> bool:
    return all(
        v is None or (isinstance(v, int | float) and not isinstance(v, bool)) for v in values
    )


def _names(types: frozenset[str]) -> str:
    return "|".join(sorted(types))


def _values(values: Any) -> str:
    return ", ".join(repr(value) for value in list(values)[:8])


def _shown(value: Any) -> str:
    return "unset" if value is None else str(value)
