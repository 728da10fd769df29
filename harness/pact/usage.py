"""Which OpenAPI operations the integration uses: those its contract names.

A mapping's operation, an error trigger, the health check, a webhook event's trigger and every
Arazzo workflow step name the operations the integration calls; recorded cassettes add what
was really called. A contract naming none uses them all. The token endpoint is left out: the
provider states stand for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from harness.contract import Contract
from harness.contract.contract import Operation
from harness.errors import Location


def used_operations(
    contract: Contract, recorded: Iterable[tuple[str, int]] = ()
) -> list[tuple[Operation, Location]]:
    """The operations the contract names (or recordings show), in document order."""
    document = contract.document
    if document is None:
        return []
    named = dict(_named(contract))
    for op_id, _ in recorded:
        named.setdefault(op_id, contract.api.loc if contract.api else contract.loc)
    token = _token_path(contract)
    chosen = [
        (op, named.get(op.operation_id, contract.api.loc if contract.api else contract.loc))
        for op in document.operations.values()
        if not (op.method == "post" and token is not None and op.path == token)
    ]
    return [pair for pair in chosen if pair[0].operation_id in named] if named else chosen


def _named(contract: Contract) -> Iterator[tuple[str, Location]]:
    for mapping in contract.mappings.values():
        if mapping.operation:
            yield mapping.operation, mapping.loc
    for entry in contract.errors:
        if entry.trigger is not None:
            yield entry.trigger.operation, entry.loc
    if contract.health is not None:
        yield contract.health.operation, contract.health.loc
    if contract.webhooks is not None:
        for event in contract.webhooks.events.values():
            if event.trigger:
                yield event.trigger, event.loc
    where = contract.workflows.loc if contract.workflows else contract.loc
    for op_id in _arazzo_operations(contract.arazzo):
        yield op_id, where


def _arazzo_operations(node: Any) -> Iterator[str]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key == "operationId" and isinstance(value, str):
                yield value
            else:
                yield from _arazzo_operations(value)
    elif isinstance(node, list):
        for item in node:
            yield from _arazzo_operations(item)


def _token_path(contract: Contract) -> str | None:
    url = contract.auth.token_url if contract.auth is not None else None
    if not url:
        return None
    path = "/" + url.split("://", 1)[-1].split("/", 1)[-1] if "://" in url else url
    return path if path.startswith("/") else "/" + path
