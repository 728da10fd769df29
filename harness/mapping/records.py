"""An entity's records on the target: where they are listed, how one is made, how it is read back.

Mapping and security checks judge real records, not only generated ones. The document says
where they are: a GET without path parameters whose 200 answers the entity's ``theirs``
schema, or a page of them (``data``, or ``api.pagination.items_field``). A fresh sandbox has
none, so one is created from the create operation's request example (see
``harness.contract.request_examples``), and read back through the OpenAPI link its answer
declares (``createContact`` → ``getContact``), or else found in a list by its id.

The target is reached through a ``Caller`` (harness's client has the shape), so this layer
sends nothing itself and needs no transport.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from harness.contract import Contract
from harness.contract.links import evaluate, links_from
from harness.contract.model import EntityMapping
from harness.contract.refs import RefError, deref, local_ref
from harness.contract.request_examples import example_body
from harness.mapping.entity_schema import entity_schemas

#: Statuses with which a target refuses an example (often over an optional reference).
REFUSED_EXAMPLE = frozenset({400, 404, 409, 422})
_PATH_PARAM = re.compile(r"{([^}]+)}")


class Caller(Protocol):
    """What sends a contract operation (``HarnessClient.call``)."""

    def call(
        self, operation_id: str, *, path_params: Mapping[str, Any] | None = None, **options: Any
    ) -> httpx.Response: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Created:
    """What was sent to create a record, the answer (None: nothing was sent), what happened."""

    sent: Any
    response: httpx.Response | None
    asked: str  # "createContact: 201", "createDeal: 404; with its required fields only: 201"

    @property
    def record(self) -> dict[str, Any] | None:
        """The created record as the answer shows it (None unless a 2xx JSON object)."""
        if self.response is None or not 200 <= self.response.status_code < 300:
            return None
        body = json_body(self.response)
        return body if isinstance(body, dict) else None


def create_record(contract: Contract, client: Caller, mapping: EntityMapping) -> Created:
    """Create one record with the entity's operation, from its documented example.

    When the target refuses the example and the example has optional fields, the required
    ones alone are tried: an optional field is often a reference to a record this target
    does not have (a ``contact_id``).
    """
    operation = mapping.operation
    assert operation is not None  # only entities with a create operation make records
    body = example_body(contract, operation)
    if not isinstance(body, dict):
        return Created(sent=None, response=None, asked=f"{operation}: no request example")
    response = client.call(operation, json=body)
    asked = f"{operation}: {response.status_code}"
    required = _required_only(contract, mapping, body)
    if response.status_code in REFUSED_EXAMPLE and required != body:
        body = required
        response = client.call(operation, json=body)
        asked += f"; with its required fields only: {response.status_code}"
    return Created(sent=body, response=response, asked=asked)


def _required_only(contract: Contract, mapping: EntityMapping, body: dict[str, Any]) -> Any:
    required = entity_schemas(contract, mapping).request.get("required") or []
    return {key: value for key, value in body.items() if key in required}


def read_back(
    contract: Contract, client: Caller, mapping: EntityMapping, created: Created
) -> tuple[dict[str, Any] | None, str]:
    """The created record as the target now returns it, and how it was asked for."""
    record, response = created.record, created.response
    if record is None or response is None or mapping.operation is None:
        return None, "nothing was created"
    tried: list[str] = []
    for link in links_from(contract, mapping.operation):
        target = contract.operation(link.target) if _is_get(contract, link.target) else None
        if target is None or not _status_matches(link.status, response.status_code):
            continue
        names = _PATH_PARAM.findall(target.path)
        params = {n: evaluate(link.parameters.get(n, ""), record, response.headers) for n in names}
        if any(value is None for value in params.values()):
            continue
        answer = client.call(link.target, path_params=params)
        tried.append(f"{link.target}: {answer.status_code}")
        body = json_body(answer) if answer.status_code == 200 else None
        if isinstance(body, dict):
            return body, "; ".join(tried)
    return _listed(contract, client, mapping, record, tried)


def _listed(
    contract: Contract,
    client: Caller,
    mapping: EntityMapping,
    record: dict[str, Any],
    tried: list[str],
) -> tuple[dict[str, Any] | None, str]:
    """The created record found in a list, by the value of its id field."""
    key = _id_field(mapping)
    if record.get(key) is not None:
        records, asked = read_records(client, reading_operations(contract, mapping))
        tried += asked
        for found in records:
            if found.get(key) == record[key]:
                return found, "; ".join(tried)
    return None, "; ".join(tried) or f"no GET linked from {mapping.operation} or listing it"


def _id_field(mapping: EntityMapping) -> str:
    """Their name of the entity's id: the field mapped from ours ``id``, else ``id``."""
    for field in mapping.fields:
        if list(field.ours) == ["id"] and len(field.theirs) == 1:
            return str(field.theirs[0])
    return "id"


def _is_get(contract: Contract, operation_id: str) -> bool:
    document = contract.document
    operation = document.operations.get(operation_id) if document else None
    return operation is not None and operation.method.lower() == "get"


def _status_matches(declared: str, status: int) -> bool:
    return declared in (str(status), f"{status // 100}XX", f"{status // 100}xx", "default")


def read_records(client: Caller, reading: list[tuple[str, str]]) -> tuple[list[Any], list[str]]:
    """The records the reading operations return, and what each answered."""
    found: list[Any] = []
    asked: list[str] = []
    for operation_id, items_field in reading:
        response = client.call(operation_id)
        body = json_body(response) if response.status_code == 200 else None
        records = body.get(items_field) if items_field and isinstance(body, dict) else [body]
        records = [record for record in records or [] if isinstance(record, dict)]
        asked.append(f"{operation_id}: {response.status_code}, {len(records)} record(s)")
        found += records
    return found, asked


def reading_operations(contract: Contract, mapping: EntityMapping) -> list[tuple[str, str]]:
    """(operationId, items field or '') of GETs without path parameters answering ``theirs``."""
    document = contract.document
    if document is None:
        return []
    pointer = "#" + mapping.theirs.partition("#")[2]
    pages = contract.api.pagination.items_field if contract.api and contract.api.pagination else ""
    items_field = pages or "data"
    result = []
    for operation in document.operations.values():
        if operation.method.lower() != "get" or "{" in operation.path:
            continue
        schema = _ok_schema(document.raw, operation.definition)
        if local_ref(schema) == pointer:
            result.append((operation.operation_id, ""))
        elif local_ref(_items(document.raw, schema, items_field)) == pointer:
            result.append((operation.operation_id, items_field))
    return result


def _ok_schema(root: Any, definition: Mapping[str, Any]) -> Any:
    response = _local(root, (definition.get("responses") or {}).get("200"))
    media = _local(root, response.get("content")).get("application/json")
    return _local(root, media).get("schema")


def _items(root: Any, schema: Any, items_field: str) -> Any:
    properties = _local(root, _local(root, schema).get("properties"))
    return _local(root, properties.get(items_field)).get("items")


def _local(root: Any, node: Any) -> Mapping[str, Any]:
    try:
        found = deref(root, node)
    except (RefError, KeyError, IndexError, TypeError, ValueError):
        return {}
    return found if isinstance(found, Mapping) else {}


def json_body(response: httpx.Response) -> Any:
    """The answer's body parsed as JSON whatever its content type, or None when it is not."""
    try:
        return response.json()
    except ValueError:
        return None
