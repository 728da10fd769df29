"""OpenAPI links: which operation's answer names the resource another operation needs.

``createContact`` 201 → ``getContact`` with ``external_id: $response.body#/external_id``
says how to read back what was just created, or where a path parameter comes from. Only
``operationId`` links are followed (an ``operationRef`` names a document location, which a
contract does not need), and only the runtime expressions a check can evaluate from one
answer: ``$response.body#/pointer`` and ``$response.header.Name``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from harness.contract.contract import Contract
from harness.contract.refs import RefError, deref, follow_pointer


@dataclass(frozen=True, slots=True, kw_only=True)
class Link:
    """``source``'s answer with ``status`` links to ``target`` with these ``parameters``."""

    source: str
    status: str
    target: str
    parameters: Mapping[str, str]  # target parameter name ("path." etc. dropped) → expression


def links_from(contract: Contract, operation_id: str) -> list[Link]:
    """The links declared on ``operation_id``'s responses."""
    return [link for link in _links(contract) if link.source == operation_id]


def links_to(contract: Contract, operation_id: str) -> list[Link]:
    """The links, on any operation's responses, that lead to ``operation_id``."""
    return [link for link in _links(contract) if link.target == operation_id]


def evaluate(expression: str, body: Any, headers: Mapping[str, str] | None = None) -> Any:
    """A runtime expression against one answer's body and headers; None when it names nothing."""
    if expression.startswith("$response.header.") and headers is not None:
        wanted = expression.removeprefix("$response.header.").lower()
        return next((value for name, value in headers.items() if name.lower() == wanted), None)
    if not expression.startswith("$response.body"):
        return None
    pointer = expression.removeprefix("$response.body").removeprefix("#")
    return follow_pointer(body, pointer, default=None)


def _links(contract: Contract) -> Iterator[Link]:
    document = contract.document
    if document is None:
        return
    for operation in document.operations.values():
        for status, response in (operation.definition.get("responses") or {}).items():
            links = _local(document.raw, response).get("links")
            for entry in links.values() if isinstance(links, Mapping) else ():
                link = _local(document.raw, entry)
                target = link.get("operationId")
                if not isinstance(target, str):
                    continue
                parameters = link.get("parameters")
                yield Link(
                    source=operation.operation_id,
                    status=str(status),
                    target=target,
                    parameters={
                        str(name).rpartition(".")[2]: expression
                        for name, expression in (
                            parameters.items() if isinstance(parameters, Mapping) else ()
                        )
                        if isinstance(expression, str)
                    },
                )


def _local(document: Any, node: Any) -> Mapping[str, Any]:
    try:  # bounded: a chain of $refs that loops or dead-ends links nowhere
        found = deref(document, node)
    except (RefError, KeyError, IndexError, TypeError, ValueError):
        return {}
    return found if isinstance(found, Mapping) else {}
