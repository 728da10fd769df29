"""The security probe of an entity: one create from the documented example, then the error
triggers of that operation — sent once per entity and run, judged by ``pii`` and ``undeclared``.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

import httpx

from harness.checks.base import CheckRuntime
from harness.contract import Contract
from harness.contract.model import EntityMapping
from harness.contract.request_examples import example_body


def probe_entities(contract: Contract) -> list[EntityMapping]:
    """The entities whose create operation is in the document (those a probe can send)."""
    if contract.document is None:
        return []
    return [
        entity
        for entity in contract.mappings.values()
        if entity.operation and entity.operation in contract.document.operations
    ]


def probed(context: CheckRuntime, entity: EntityMapping) -> list[httpx.Response]:
    """The probe's responses, sent once per entity and run (shared by the checks)."""
    client = context.client()  # outside ``shared``: building the client takes the same lock
    return context.shared(f"security-probe:{entity.name}", partial(_probe, context, client, entity))


def _probe(context: CheckRuntime, client: Any, entity: EntityMapping) -> list[httpx.Response]:
    """Create one record from the example, then send each error trigger of the operation."""
    contract = context.contract
    assert entity.operation is not None
    body = example_body(contract, entity.operation)
    if not isinstance(body, dict):
        return []
    responses = [client.call(entity.operation, json=body)]
    for error in contract.errors:
        trigger = error.trigger
        if trigger is None or trigger.operation != entity.operation or not trigger.body:
            continue
        if trigger.auth != "valid":
            continue
        responses += [
            client.call(entity.operation, json=trigger.body) for _ in range(max(trigger.repeat, 1))
        ]
    return responses


def no_probe(entity: EntityMapping) -> str:
    """Why there was nothing to probe with."""
    return (
        f"no request body example for {entity.operation} in the OpenAPI document, so no "
        f"{entity.name} was sent to probe with; add an example to its requestBody"
    )


def status_summary(responses: Iterable[httpx.Response]) -> str:
    """``'404 x18, 500 x2'``: what came back, for an inconclusive or failing verdict."""
    counts: dict[int, int] = {}
    for response in responses:
        counts[response.status_code] = counts.get(response.status_code, 0) + 1
    return ", ".join(f"{status} x{count}" for status, count in sorted(counts.items())) or "none"
