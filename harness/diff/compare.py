"""Put the rules together: two contracts, or two vendor documents."""

from __future__ import annotations

import dataclasses
import datetime as dt

from harness.contract import Contract
from harness.contract.source import display_path
from harness.diff.change import Change, DiffReport
from harness.diff.document import Document
from harness.diff.mappings import diff_mappings, diff_payloads
from harness.diff.openapi import diff_openapi
from harness.diff.sections import diff_sections
from harness.errors import Location


def contract_document(contract: Contract) -> Document | None:
    """The contract's OpenAPI document as one side of a diff."""
    if contract.document is None:
        return None
    path = contract.document.path
    return Document(raw=contract.document.raw, path=path, display=display_path(path))


def diff_documents(
    old: Document,
    new: Document,
    *,
    today: dt.date | None = None,
    labels: tuple[str, str] = ("old", "new"),
) -> DiffReport:
    """Changes between two vendor documents (OpenAPI rules only)."""
    changes = diff_openapi(old, new, today or dt.date.today())
    return DiffReport(old=labels[0], new=labels[1], changes=merged(changes))


def diff_contracts(
    old: Contract,
    new: Contract,
    *,
    new_document: Document | None = None,
    today: dt.date | None = None,
    labels: tuple[str, str] = ("old", "new"),
    rename: dict[str, str] | None = None,
) -> DiffReport:
    """Changes in every section between two contracts.

    ``new_document`` replaces the new side's OpenAPI document (``--openapi NEW.yaml``);
    ``rename`` maps a path prefix (a temporary checkout) to what the user typed.
    """
    day = today or dt.date.today()
    old_doc = contract_document(old)
    new_doc = new_document or contract_document(new)
    changes: list[Change] = []
    if old_doc is not None and new_doc is not None:
        changes += diff_openapi(old_doc, new_doc, day)
    changes += diff_sections(old, new)
    changes += diff_mappings(old, new, old_doc, new_doc)
    changes += diff_payloads(old, new, old_doc, new_doc)
    if rename:
        changes = [_renamed(change, rename) for change in changes]
    return DiffReport(old=labels[0], new=labels[1], changes=merged(changes))


def merged(changes: list[Change]) -> tuple[Change, ...]:
    """One entry per change of a shared schema node (a component used by many operations)."""
    groups: dict[tuple[object, ...], list[Change]] = {}
    for change in changes:
        key: tuple[object, ...] = (change.section, change.kind, change.old, change.new)
        if change.section != "endpoints" or (change.old is None and change.new is None):
            key = (*key, change.subject)
        groups.setdefault((*key, change.message), []).append(change)
    found = []
    for group in groups.values():
        first = group[0]
        if len(group) > 1:
            more = f"{first.subject} (and {len(group) - 1} more: {group[1].subject}"
            more += ", ..." if len(group) > 2 else ""
            first = dataclasses.replace(first, subject=more + ")")
        found.append(first)
    return tuple(found)


def _relabel(location: Location | None, rename: dict[str, str]) -> Location | None:
    if location is None:
        return None
    for prefix, label in rename.items():
        if location.file.startswith(prefix):
            return dataclasses.replace(location, file=label + location.file[len(prefix) :])
    return location


def _renamed(change: Change, rename: dict[str, str]) -> Change:
    old, new = _relabel(change.old, rename), _relabel(change.new, rename)
    return dataclasses.replace(change, old=old, new=new)
