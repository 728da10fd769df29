"""Load an OpenAPI 3.0/3.1 or Swagger 2.0 document: parse, bundle, validate, index by id.

Large vendor documents (thousands of operations) are parsed with libyaml (or ``json``) and
without positions; positions are computed only when there is an error to point at.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.contract.bundle import RefPolicy, bundle
from harness.contract.contract import HTTP_METHODS, ApiDocument, Operation
from harness.contract.documents import read_document
from harness.contract.openapi_validation import CYCLE_HINT, CYCLE_MESSAGE, document_errors
from harness.contract.refs import RefError, deref
from harness.contract.source import PathKey, parse_yaml
from harness.contract.swagger import convert_swagger
from harness.errors import ContractError, Location, Problem


def load_openapi(
    path: Path, used_at: Location, policy: RefPolicy, *, origin: str | None = None
) -> ApiDocument:
    """Load, bundle, validate and index the OpenAPI (or Swagger 2.0) document at ``path``.

    ``origin`` is the URL the file was downloaded from: its relative ``$ref``s are URLs too.
    """
    raw = read_document(path, used_at)
    if not isinstance(raw, dict):
        message = "an OpenAPI document must be a mapping (openapi, info, paths, ...)"
        hint = "the document must start with 'openapi: 3.1.0' (or 3.0.x, or swagger: '2.0')"
        raise ContractError([Problem(Location(str(path), 1, 1), message, hint)])
    raw = bundle(raw, origin or str(path.resolve()), policy)
    converted_from = ""
    if str(raw.get("swagger", "")).startswith("2"):
        raw, converted_from = convert_swagger(raw), "2.0"
    errors = document_errors(raw, _version_of(raw, path))
    if errors:
        raise ContractError([_problem(where, message, path) for where, message in errors])
    operations = index_operations(raw, path)
    return ApiDocument(path=path, raw=raw, operations=operations, converted_from=converted_from)


def _version_of(raw: dict[str, Any], path: Path) -> str:
    version = str(raw.get("openapi", raw.get("swagger", "")))
    if version.startswith(("3.0", "3.1")):
        return version[:3]
    raise ContractError(
        [
            Problem(
                Location(str(path), 1, 1, "$.openapi"),
                f"expected an OpenAPI 3.0/3.1 or Swagger 2.0 document, found version "
                f"{version or 'none'!r}",
                "the document must start with 'openapi: 3.1.0' (or 3.0.x, or swagger: '2.0')",
            )
        ]
    )


def _problem(where: PathKey, message: str, path: Path) -> Problem:
    hint = "check this node against the OpenAPI specification of the document's version"
    if message.startswith(CYCLE_MESSAGE):
        hint = CYCLE_HINT
    return Problem(_locate(path, where), f"invalid OpenAPI document: {message}", hint)


def _locate(path: Path, where: PathKey) -> Location:
    try:
        positions = parse_yaml(path.read_text(encoding="utf-8"), str(path), strict=False).positions
    except (ContractError, OSError, UnicodeDecodeError):
        return Location(str(path))
    return positions.locate(where)


def index_operations(raw: dict[str, Any], path: Path) -> dict[str, Operation]:
    """Every operation by ``operationId`` (or ``METHOD /path`` when it has none)."""
    operations: dict[str, Operation] = {}
    problems: list[Problem] = []
    for route, entry in (raw.get("paths") or {}).items():
        try:
            item = deref(raw, entry)  # a path item may be a $ref (to a bundled file)
        except RefError:
            continue  # validation has named it
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            definition = item.get(method)
            if not isinstance(definition, dict):
                continue
            key = str(definition.get("operationId") or f"{method.upper()} {route}")
            if key in operations:
                where = _locate(path, ("paths", route, method, "operationId"))
                message = f"duplicate operationId '{key}': {operations[key].label} has it too"
                hint = "an operationId must be unique in the document; rename one of them"
                problems.append(Problem(where, message, hint))
                continue
            operations[key] = Operation(
                operation_id=key, method=method, path=route, definition=definition, path_item=item
            )
    if problems:
        raise ContractError(problems)
    return operations
