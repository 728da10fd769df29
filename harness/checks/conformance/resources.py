"""Known-good path parameters: ids of resources harness has just created.

Random ids get 404 from any real server, so a positive check of ``GET /contacts/{id}`` needs
ids that exist. The document's OpenAPI links say where they come from (``createContact``
201 → ``getContact`` with ``external_id: $response.body#/external_id``): harness sends a
valid request to the linked creator and puts what its answer returned into the example.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


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
    """``$response.body#/a/b`` and ``$response.header.X``; anything else: None."""
    if expression.startswith("$response.header."):
        return response.headers.get(expression.removeprefix("$response.header."))
    if not expression.startswith("$response.body"):
        return None
    pointer = expression.removeprefix("$response.body").removeprefix("#")
    try:
        value: Any = response.json()
    except ValueError:
        return None
    for raw_token in [t for t in pointer.split("/") if t]:
        token = raw_token.replace("~1", "/").replace("~0", "~")
        if isinstance(value, dict):
            value = value.get(token)
        elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
            value = value[int(token)]
        else:
            return None
    return value
