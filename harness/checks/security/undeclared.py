"""Claim ``no_undeclared_fields[entity]``: a strict entity's records carry only declared fields.

An entity is strict by its mapping (``strict: true``) or by ``security.strict_entities``: a
field its schema does not declare is data nobody agreed to receive (and may be PII). The
records judged are those the security probe created and those the entity's lists return.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from harness.checks.base import Check, CheckRuntime, Verdict, inconclusive
from harness.checks.security.probe import no_probe, probe_entities, probed, status_summary
from harness.contract import Contract
from harness.errors import CheckFailure
from harness.mapping.entity_schema import entity_schemas
from harness.mapping.records import read_records, reading_operations


def checks(contract: Contract) -> list[Check]:
    """One check per probed entity that is strict."""
    security = contract.security
    return [
        Check(
            family="security",
            name=f"no_undeclared_fields[{entity.name}]",
            run=partial(check_no_undeclared_fields, entity=entity.name),
            description=f"{entity.name} responses carry only the fields its schema declares",
            loc=entity.loc,
            mutating=True,
        )
        for entity in probe_entities(contract)
        if entity.strict or (security is not None and entity.name in security.strict_entities)
    ]


def check_no_undeclared_fields(context: CheckRuntime, *, entity: str) -> Verdict:
    """The records the probe created and the entity's lists return carry declared fields only."""
    contract = context.contract
    mapping = contract.mappings[entity]
    declared = set(entity_schemas(contract, mapping).theirs.get("properties") or {})
    responses = probed(context, mapping)
    created = [_json_body(r) for r in responses if r.status_code < 300]
    listed, asked = read_records(context.client(), reading_operations(contract, mapping))
    records = [body for body in (*created, *listed) if isinstance(body, dict)]
    extra = {name for record in records for name in record if name not in declared}
    data = {"records": len(records), "declared": sorted(declared), "asked": asked}
    if extra:
        raise CheckFailure(
            f"{entity} is strict ({mapping.loc}) but responses carry undeclared field(s) "
            f"{sorted(extra)}; declared: {sorted(declared)} ({mapping.theirs}). Fix: ask the "
            "provider to drop them, or declare them in the schema if they are intended.",
            data={**data, "undeclared": sorted(extra)},
        )
    if not records:
        probe = (
            f"{len(responses)} probe request(s) to {mapping.operation}: {status_summary(responses)}"
            if responses
            else no_probe(mapping)
        )
        return inconclusive(
            f"no successful JSON {entity} record to inspect ({'; '.join([probe, *asked])})",
            data=data,
        )
    return Verdict(
        message=f"{len(records)} {entity} record(s) carry only declared fields "
        f"({len(records) - len(listed)} created, {len(listed)} listed)",
        data=data,
    )


def _json_body(response: Any) -> Any:
    """A JSON answer's body (None unless its content type says JSON and it parses)."""
    if "json" not in response.headers.get("content-type", ""):
        return None
    try:
        return response.json()
    except ValueError:
        return None
