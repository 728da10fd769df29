"""Claim ``stored``: a record created through the contract reads back as it was sent.

The other mapping claims judge the mapping on paper (generated instances) or the vendor's
records on their own; none compares what the vendor *stored* with what it was *sent*. A
vendor that upper-cases an e-mail, rounds an amount or shifts a date passes them all and
still corrupts every record an integration writes.

One record is created with the entity's ``operation`` from its documented example (see
``harness.mapping.records``), read back through the OpenAPI link of the create answer (or
found in a list by its id), and each mapped field that was sent is compared. A stored value
may differ from the sent one only in the way the field's transform declares:

- equal as data (``12.5`` and ``"12.50"`` for ``money``, the same instant and offset);
- the declared normal form of what was sent (``lower``: ``Ada@X.com`` may come back as
  ``ada@x.com``, never as ``ADA@X.COM``) — ``forward(backward(sent))``;
- for an exact transform, the same value on our side (``backward`` of both agree).

A field sent and changed otherwise, or dropped, fails with the field, both values and the
contract line; when nothing could be created or read back the claim is inconclusive. In
replay it is inconclusive without sending anything: a cassette holds the values sent when it
was recorded (e-mails made unique per request, PII scrubbed), so a stored value cannot be
compared with what this run would send.
"""

from __future__ import annotations

from typing import Any

from harness.checks.base import CheckRuntime, Verdict, inconclusive
from harness.errors import CheckFailure
from harness.mapping.entity import (
    Direction,
    EntityPlan,
    FieldMappingError,
    FieldPlan,
    apply_field,
    read_paths,
    same_value,
)
from harness.mapping.entity_schema import EntitySchemas, property_schema
from harness.mapping.errors import show
from harness.mapping.paths import MISSING
from harness.mapping.records import create_record, read_back
from harness.settings import Mode


def check_stored(context: CheckRuntime, plan: EntityPlan, schemas: EntitySchemas) -> Verdict:
    """Create one record, read it back, and compare every mapped field that was sent."""
    mapping = plan.mapping
    if not mapping.operation:
        return inconclusive(
            f"{plan.name}: the mapping names no create operation (mappings.{plan.name}."
            f"operation, contract {plan.loc}), so harness cannot store a record to compare"
        )
    if context.settings.mode == Mode.REPLAY:  # the option may hold the plain string
        return inconclusive(
            f"{plan.name}: replay mode: a cassette holds the record sent when it was recorded "
            "(unique e-mails, scrubbed PII), not this run's; run live (or record) to compare "
            "what the vendor stores with what it is sent"
        )
    client = context.client()
    created = create_record(context.contract, client, mapping)
    if created.record is None:
        return inconclusive(f"{plan.name}: no record was created to read back ({created.asked})")
    stored, how = read_back(context.contract, client, mapping, created)
    if stored is None:
        return inconclusive(
            f"{plan.name}: created ({created.asked}) but it could not be read back ({how}); "
            f"add an OpenAPI link from {mapping.operation}'s answer to the operation that reads it"
        )
    compared = [field for field in plan.fields if _sent(field, created.sent, schemas)]
    changed = [
        _change(plan, field, created.sent, stored, how)
        for field in compared
        if not stored_as_declared(field, read_paths(created.sent, field.theirs), stored)
    ]
    names = [_shown_paths(field) for field in compared]
    data: dict[str, object] = {
        "entity": plan.name,
        "created": created.asked,
        "read_back": how,
        "compared": names,
    }
    if changed:
        raise CheckFailure(
            f"{plan.name}: {len(changed)} field(s) stored differently from what was sent:\n  "
            + "\n  ".join(changed)
            + "\nFix: ask the provider to store the value as sent, or declare the change as "
            "the field's transform in the mapping.",
            data=data,
        )
    if not compared:
        return inconclusive(
            f"{plan.name}: the record sent to {mapping.operation} carried no mapped field "
            "to compare",
            data=data,
        )
    return Verdict(
        message=f"{plan.name}: {len(compared)} mapped field(s) read back as sent or as "
        f"declared ({', '.join(names)}; {created.asked}; {how})",
        data=data,
    )


def _sent(field: FieldPlan, sent: Any, schemas: EntitySchemas) -> bool:
    """Whether the field was sent with a value the vendor is meant to keep (not writeOnly)."""
    value = read_paths(sent, field.theirs)
    if value is MISSING or value is None:
        return False
    if len(field.theirs) == 1:
        schema = property_schema(schemas.request, field.theirs_text) or {}
        return schema.get("writeOnly") is not True
    return True


def stored_as_declared(field: FieldPlan, sent: Any, record: Any) -> bool:
    """Whether ``record`` holds ``sent`` for this field, changed at most as its transform says."""
    stored = read_paths(record, field.theirs)
    if stored is MISSING:
        return False
    amounts = field.transform.name == "money"
    if same_value(sent, stored, amounts=amounts):
        return True
    normal = _through(field, sent, Direction.BACKWARD, Direction.FORWARD)
    if normal is not MISSING and same_value(normal, stored, amounts=amounts):
        return True
    if not field.exact:
        return False
    ours_sent = _through(field, sent, Direction.BACKWARD)
    ours_stored = _through(field, stored, Direction.BACKWARD)
    return ours_sent is not MISSING and same_value(ours_sent, ours_stored, amounts=amounts)


def _through(field: FieldPlan, value: Any, *directions: Direction) -> Any:
    """``value`` through the field's transform in each direction; MISSING when it will not go."""
    for direction in directions:
        try:
            value = apply_field(field, value, direction)
        except FieldMappingError:
            return MISSING
    return value


def _change(plan: EntityPlan, field: FieldPlan, sent: Any, record: Any, how: str) -> str:
    value = read_paths(sent, field.theirs)
    stored = read_paths(record, field.theirs)
    shown = "absent" if stored is MISSING else show(stored)
    return (
        f"{plan.name}.{field.ours_text} ↔ {field.theirs_text} ({field.transform.name}): sent "
        f"{show(value)}, stored {shown} (read back with {how}); the transform allows no such "
        f"change (contract {field.mapping.loc})"
    )


def _shown_paths(field: FieldPlan) -> str:
    return field.theirs_text if len(field.theirs) == 1 else f"[{field.theirs_text}]"
