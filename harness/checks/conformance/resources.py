"""Known-good path parameters: ids of resources harness has just created.

Random ids get 404 from any real server, so a positive check of ``GET /contacts/{id}`` needs
ids that exist. The document's OpenAPI links say where they come from (``createContact``
201 → ``getContact`` with ``external_id: $response.body#/external_id``): harness sends a
valid request to the linked creator and puts what its answer returned into the example.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx

from harness._compat.schemathesis import negated_locations
from harness.checks.base import CheckRuntime
from harness.checks.conformance.cases import is_success, send_case
from harness.contract.contract import Operation
from harness.contract.links import evaluate
from harness.transports.client import DEFAULT_IDEMPOTENCY_HEADER, RequestNotSendable

_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
#: A path template's parameters: ``/contacts/{external_id}`` → ``external_id``.
PATH_TEMPLATE = re.compile(r"\{([^{}/]+)\}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Creator:
    """An operation whose successful answer names resources ``target`` can use."""

    operation_id: str
    parameters: tuple[tuple[str, str], ...]  # (target path parameter, runtime expression)


def creators_for(raw: dict[str, Any], target_id: str, path_names: list[str]) -> list[Creator]:
    """Operations with a link that fills a path parameter of ``target_id``.

    A link to a sibling on the same path (``getContact`` for ``patchContact``) counts too:
    the resource it names is the same one.
    """
    paths = {str(op.get("operationId")): path for path, op in _operations(raw)}
    target_path = paths.get(target_id)
    found: list[Creator] = []
    for _, operation in _operations(raw):
        source_id = operation.get("operationId")
        for response in (operation.get("responses") or {}).values():
            links = response.get("links") if isinstance(response, dict) else None
            for link in (links or {}).values():
                if not isinstance(link, dict):
                    continue
                linked = link.get("operationId")
                if linked != target_id and paths.get(str(linked)) != target_path:
                    continue
                pairs = _path_pairs(link.get("parameters") or {}, path_names)
                if source_id and source_id != target_id and pairs:
                    found.append(Creator(operation_id=str(source_id), parameters=pairs))
    return list({creator.operation_id: creator for creator in found}.values())


def extract(creator: Creator, response: httpx.Response) -> dict[str, Any]:
    """The path parameters ``creator``'s answer provides (only those it really holds)."""
    values: dict[str, Any] = {}
    for name, expression in creator.parameters:
        value = _evaluate(expression, response)
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value) != "":
            values[name] = value
    return values


def creator_for(context: CheckRuntime, operation: Operation) -> Creator | None:
    """The linked operation that creates what ``operation`` reads, when creating is allowed."""
    names = PATH_TEMPLATE.findall(operation.path)
    document = context.contract.document
    if not names or document is None:
        return None
    if context.target.protected and not context.settings.allow_protected:
        return None  # never write to a protected environment to make a read succeed
    found = creators_for(dict(document.raw), operation.operation_id, names)
    return found[0] if found else None


def point_at_new_resource(
    context: CheckRuntime, creator: Creator, case: Any, source: Any
) -> dict[str, Any] | None:
    """Create a resource with ``creator``'s case ``source`` and point ``case`` at it.

    The path parameters put into ``case``, or None when nothing usable was created (or the
    invalid part of ``case`` is its id itself: then it keeps that one).
    """
    if "path" in negated_locations(case):
        return None
    _fresh_idempotency_key(context, source)
    try:
        created = send_case(context, source)
    except RequestNotSendable:
        return None
    if not is_success(created.response):
        return None
    assert created.response is not None
    values = extract(creator, created.response)
    if not values:
        return None
    case.path_parameters = {**(case.path_parameters or {}), **values}
    return values


def _fresh_idempotency_key(context: CheckRuntime, source: Any) -> None:
    """Drop a generated idempotency key from the creator's case: the client adds a fresh one.

    Hypothesis repeats small values (``"0"``); a server that rightly replays the first
    create for a repeated key would hand back an id deleted since, not a new resource.
    """
    retry = context.contract.retry
    name = (retry.idempotency_header if retry else None) or DEFAULT_IDEMPOTENCY_HEADER
    headers = getattr(source, "headers", None)
    if headers:
        source.headers = {k: v for k, v in headers.items() if k.lower() != name.lower()}


def _operations(raw: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path, item in (raw.get("paths") or {}).items():
        if isinstance(item, dict):
            found += [(str(path), item[m]) for m in _HTTP_METHODS if isinstance(item.get(m), dict)]
    return found


def _path_pairs(parameters: dict[str, Any], path_names: list[str]) -> tuple[tuple[str, str], ...]:
    pairs = []
    for key, expression in parameters.items():
        location, dot, name = str(key).partition(".")
        name = name if dot and location in ("path",) else str(key)
        if name in path_names and isinstance(expression, str) and expression.startswith("$"):
            pairs.append((name, expression))
    return tuple(pairs)


def _evaluate(expression: str, response: httpx.Response) -> Any:
    """``$response.body#/a/b`` and ``$response.header.X`` (``links.evaluate``); else None."""
    body: Any = None
    if expression.startswith("$response.body"):
        try:
            body = response.json()
        except ValueError:
            return None
    return evaluate(expression, body, response.headers)
