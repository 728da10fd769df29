"""Load an OpenAPI 3.0/3.1 document: parse fast, validate, index operations by id.

Large vendor documents (thousands of operations) are parsed with libyaml (or ``json``) and
without positions; positions are computed only when there is an error to point at.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from harness.contract.contract import HTTP_METHODS, ApiDocument, Operation
from harness.contract.openapi_validation import document_errors
from harness.contract.source import PathKey, parse_yaml
from harness.errors import ContractError, Location, Problem

try:
    _Loader: type[Any] = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


def read_document(path: Path, used_at: Location) -> Any:
    """Parse a YAML or JSON file; a problem names the file (and line), never a traceback."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ContractError(
            [Problem(used_at, f"cannot read {path.name}: {reason}", "check the path")]
        ) from None
    if path.suffix == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            where = Location(str(path), exc.lineno, exc.colno)
            raise ContractError([Problem(where, f"invalid JSON: {exc.msg}")]) from None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - CSafeLoader is the safe loader
    except yaml.YAMLError:
        return parse_yaml(text, str(path)).data  # raises with file:line:col


def load_openapi(path: Path, used_at: Location) -> ApiDocument:
    """Load, validate and index the OpenAPI document at ``path``."""
    raw = read_document(path, used_at)
    if not isinstance(raw, dict):
        raise ContractError([Problem(Location(str(path)), "an OpenAPI document must be a mapping")])
    errors = document_errors(raw, _version_of(raw, path))
    if errors:
        raise ContractError([_problem(where, message, path) for where, message in errors])
    return ApiDocument(path=path, raw=raw, operations=index_operations(raw, path))


def _version_of(raw: dict[str, Any], path: Path) -> str:
    version = str(raw.get("openapi", raw.get("swagger", "")))
    if version.startswith(("3.0", "3.1")):
        return version[:3]
    hint = "convert Swagger 2.0 with a converter such as swagger2openapi" if version else ""
    raise ContractError(
        [
            Problem(
                Location(str(path), 1, 1, "$.openapi"),
                f"expected an OpenAPI 3.0 or 3.1 document, found version {version or 'none'!r}",
                hint or "the document must start with 'openapi: 3.1.0' (or 3.0.x)",
            )
        ]
    )


def _problem(where: PathKey, message: str, path: Path) -> Problem:
    hint = "check this node against the OpenAPI specification of the document's version"
    return Problem(_locate(path, where), f"invalid OpenAPI document: {message}", hint)


def _locate(path: Path, where: PathKey) -> Location:
    try:
        positions = parse_yaml(path.read_text(encoding="utf-8"), str(path)).positions
    except (ContractError, OSError, UnicodeDecodeError):
        return Location(str(path))
    return positions.locate(where)


def index_operations(raw: dict[str, Any], path: Path) -> dict[str, Operation]:
    """Every operation by ``operationId`` (or ``METHOD /path`` when it has none)."""
    operations: dict[str, Operation] = {}
    problems: list[Problem] = []
    for route, item in (raw.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            definition = item.get(method)
            if not isinstance(definition, dict):
                continue
            key = str(definition.get("operationId") or f"{method.upper()} {route}")
            if key in operations:
                where = _locate(path, ("paths", route, method, "operationId"))
                problems.append(Problem(where, f"duplicate operationId '{key}'", "make it unique"))
                continue
            operations[key] = Operation(
                operation_id=key, method=method, path=route, definition=definition, path_item=item
            )
    if problems:
        raise ContractError(problems)
    return operations
