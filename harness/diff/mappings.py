"""The mapping and webhook-payload rules: vendor fields we map, and which of ours break."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from harness.contract import Contract
from harness.contract.model import EntityMapping, FieldMapping
from harness.diff.change import Change, Severity
from harness.diff.document import Document
from harness.diff.schema import Node, SchemaDiff, View, view_of


def fragment(ref: str) -> str:
    """``openapi.yaml#/components/schemas/X`` → ``/components/schemas/X``."""
    return ref.split("#", 1)[1] if "#" in ref else ""


@dataclass(frozen=True, slots=True)
class _Schema:
    document: Document
    view: View

    def types(self, name: str) -> str:
        found = view_of(self.document, self.view.properties[name]).types or frozenset()
        return "|".join(sorted(found)) or "any"


def _schema(document: Document | None, ref: str) -> _Schema | None:
    found = document.pointer(fragment(ref)) if document is not None and "#" in ref else None
    if document is None or found is None:
        return None
    return _Schema(document, view_of(document, Node(*found)))


def diff_mappings(
    old: Contract, new: Contract, old_doc: Document | None, new_doc: Document | None
) -> list[Change]:
    """For each field we map: removed or retyped on the vendor's side breaks our field."""
    changes: list[Change] = []
    for name, mapping in old.mappings.items():
        other = new.mappings.get(name)
        if other is None:
            changes.append(
                Change(
                    section="mappings",
                    kind="mapping-removed",
                    severity=Severity.NEEDS_REVIEW,
                    subject=name,
                    message="entity mapping removed from the contract",
                    migration=f"confirm nothing of ours still syncs {name}",
                    old=mapping.loc,
                )
            )
            continue
        before, after = _schema(old_doc, mapping.theirs), _schema(new_doc, other.theirs)
        changes += _entity(mapping, other, before, after)
    return changes


def _entity(
    old: EntityMapping, new: EntityMapping, before: _Schema | None, after: _Schema | None
) -> Iterator[Change]:
    if before is None:
        return
    if after is None:
        yield Change(
            section="mappings",
            kind="mapped-schema-removed",
            severity=Severity.BREAKING,
            subject=old.name,
            message=f"vendor schema {new.theirs} no longer exists",
            migration=f"re-point mappings.{old.name}.theirs at the vendor's new schema",
            old=old.loc,
            new=new.loc,
        )
        return
    fields = {field.ours: field for field in new.fields}
    for field in old.fields:
        now = fields.get(field.ours)
        yield from _field(old.name, field, now, before, after)


def _field(
    entity: str, field: FieldMapping, now: FieldMapping | None, before: _Schema, after: _Schema
) -> Iterator[Change]:
    ours = f"{entity}.{'+'.join(field.ours)}"
    new_loc = now.loc if now is not None else None
    for theirs in field.theirs:
        top = theirs.split(".")[0]
        if top not in before.view.properties:
            continue
        if top not in after.view.properties:
            yield Change(
                section="mappings",
                kind="mapped-field-removed",
                severity=Severity.BREAKING,
                subject=ours,
                message=f"vendor field {theirs} removed: our {ours} breaks",
                migration=f"map {ours} from another vendor field or drop it",
                old=field.loc,
                new=new_loc,
            )
            continue
        old_type, new_type = before.types(top), after.types(top)
        if old_type != new_type:
            yield Change(
                section="mappings",
                kind="mapped-field-retyped",
                severity=Severity.BREAKING,
                subject=ours,
                message=f"vendor field {theirs} is now {new_type} (was {old_type}): "
                f"our {ours} breaks",
                migration=f"adapt the {field.transform} transform of {ours} to {new_type}",
                old=field.loc,
                new=new_loc,
            )
    if now is not None and now.transform != field.transform:
        yield Change(
            section="mappings",
            kind="mapping-transform-changed",
            severity=Severity.NEEDS_REVIEW,
            subject=ours,
            message=f"transform {field.transform} → {now.transform}",
            migration="re-run the mapping family on recorded examples",
            old=field.loc,
            new=now.loc,
        )


def diff_payloads(
    old: Contract, new: Contract, old_doc: Document | None, new_doc: Document | None
) -> list[Change]:
    """Webhook payloads are responses we read: compare each event's schema."""
    if old.webhooks is None or new.webhooks is None or old_doc is None or new_doc is None:
        return []
    diff = SchemaDiff(old_doc, new_doc, "webhooks", request=False)
    for name, event in old.webhooks.events.items():
        other = new.webhooks.events.get(name)
        before = old_doc.pointer(fragment(event.schema)) if other else None
        after = new_doc.pointer(fragment(other.schema)) if other else None
        if before is not None and after is not None:
            diff.compare(Node(*before), Node(*after), f"{name} payload")
    return diff.changes
