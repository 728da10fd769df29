"""Performing an event's trigger: call its operation with a valid body from the document.

The body is the operation's request example, with e-mail addresses made unique so that
repeated runs do not collide (``harness.contract.request_examples``). What the example
cannot supply is made first:

- path parameters come from an operation whose response *links* to the trigger
  (``createContact`` → ``updateContact``: ``external_id: $response.body#/external_id``);
- an example value that looks like an id of another resource (``ct_01JB...``) is replaced
  by the id of a resource made by a creating operation (a POST without path parameters),
  matched on the id's prefix.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from harness.contract import Contract
from harness.contract.contract import Operation
from harness.contract.links import evaluate, links_to
from harness.contract.request_examples import example_body, request_example
from harness.errors import UsageError
from harness.transports.client import HarnessClient

_ID_LIKE = re.compile(r"^([a-z]{1,8}_)[0-9A-Za-z]{8,}$")


@dataclass(frozen=True, slots=True, kw_only=True)
class Triggered:
    operation: Operation
    response: httpx.Response
    setup: tuple[str, ...]  # the operations called first, in order


def perform_trigger(contract: Contract, client: HarnessClient, operation_id: str) -> Triggered:
    """Call ``operation_id`` with an example body and the path parameters it needs."""
    operation = contract.operation(operation_id)
    maker = _Maker(contract, client)
    path_params = maker.path_params(operation)
    body = maker.body(operation)
    options: dict[str, Any] = {"json": body} if body is not None else {}
    response = client.call(operation_id, path_params=path_params, **options)
    return Triggered(operation=operation, response=response, setup=tuple(maker.called))


class _Maker:
    """Makes what a trigger needs, remembering ids it has seen by their prefix."""

    def __init__(self, contract: Contract, client: HarnessClient) -> None:
        self.contract = contract
        self.client = client
        self.ids: dict[str, str] = {}
        self.called: list[str] = []
        self._making: set[str] = set()  # creators in progress: no loops between them

    def body(self, operation: Operation) -> Any | None:
        body = example_body(self.contract, operation.operation_id)
        if not isinstance(body, dict):
            return body
        for key, value in body.items():
            match = _ID_LIKE.match(value) if isinstance(value, str) else None
            if match and key not in ("id",):
                body[key] = self._id(match.group(1), exclude=operation) or value
        return body

    def path_params(self, operation: Operation) -> dict[str, Any]:
        names = re.findall(r"{([^}]+)}", operation.path)
        if not names:
            return {}
        for creator, parameters in self._links_to(operation.operation_id):
            answer = self._create(creator)
            data = answer.json() if answer is not None else None
            found = {name: evaluate(expr, data) for name, expr in parameters.items()}
            if all(found.get(name) is not None for name in names):
                return {name: found[name] for name in names}
        raise UsageError(
            f"cannot build the path parameters {', '.join(names)} of {operation.label}: no "
            "operation's response links to it (add an OpenAPI `links` entry from the operation "
            "that creates the resource)"
        )

    def _id(self, prefix: str, *, exclude: Operation) -> str | None:
        if prefix not in self.ids:
            for creator in self._creators(exclude):
                self._create(creator)
                if prefix in self.ids:
                    break
        return self.ids.get(prefix)

    def _create(self, operation: Operation) -> httpx.Response | None:
        if operation.operation_id in self._making:
            return None
        self._making.add(operation.operation_id)
        try:
            body = self.body(operation)
        finally:
            self._making.discard(operation.operation_id)
        response = self.client.call(operation.operation_id, json=body)
        self.called.append(operation.operation_id)
        if not response.is_success:
            return None
        data = response.json()
        for value in data.values() if isinstance(data, dict) else ():
            match = _ID_LIKE.match(value) if isinstance(value, str) else None
            if match:
                self.ids.setdefault(match.group(1), value)
        return response

    def _creators(self, exclude: Operation) -> Iterator[Operation]:
        document = self.contract.document
        for operation in document.operations.values() if document else ():
            if (
                operation.method == "post"
                and "{" not in operation.path
                and operation.operation_id != exclude.operation_id
                and request_example(self.contract, operation.operation_id) is not None
            ):
                yield operation

    def _links_to(self, operation_id: str) -> Iterator[tuple[Operation, Mapping[str, str]]]:
        creators = {
            op.operation_id: op for op in self._creators(self.contract.operation(operation_id))
        }
        for link in links_to(self.contract, operation_id):
            if link.source in creators:
                yield creators[link.source], link.parameters
