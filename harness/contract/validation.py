"""Validate contract data against the shipped JSON Schema, in the user's words.

jsonschema finds the problems; this module turns each into a ``Problem`` that names the
line, says what was expected and found, and suggests the fix ("did you mean 'rate_limits'?").
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError

from harness.contract.source import PathKey, Positions, Scalar, describe_scalar
from harness.errors import Problem

_JSON_TYPES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
    "null": "null",
}


@cache
def format_schema() -> dict[str, Any]:
    """The JSON Schema of the contract format, as shipped in the package."""
    text = resources.files("harness.contract").joinpath("integration.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        format_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def validate_data(data: Any, positions: Positions) -> list[Problem]:
    """Every way ``data`` breaks the format, one problem per node, in file order."""
    problems: dict[tuple[PathKey, str], Problem] = {}
    for error in _leaf_errors(_validator().iter_errors(data)):
        problem = _explain(error, positions)
        key = (tuple(error.absolute_path), problem.message)
        problems.setdefault(key, problem)
    return sorted(problems.values(), key=lambda p: (p.location.line, p.location.column))


def _leaf_errors(errors: Iterable[ValidationError]) -> Iterator[ValidationError]:
    """Descend into oneOf/anyOf to the most relevant branch error."""
    for error in errors:
        if error.validator in ("oneOf", "anyOf") and error.context:
            best = jsonschema.exceptions.best_match(error.context)
            if best is not None and best.validator not in ("not",):
                yield from _leaf_errors([best])
                continue
        yield error


def _explain(error: ValidationError, positions: Positions) -> Problem:
    path: PathKey = tuple(error.absolute_path)
    explain = _EXPLAINERS.get(str(error.validator), _explain_default)
    message, hint, where = explain(error, positions, path)
    return Problem(positions.locate(where), message, hint)


Explained = tuple[str, str, PathKey]


def _explain_additional(error: ValidationError, positions: Positions, path: PathKey) -> Explained:
    allowed = sorted(_schema_of(error).get("properties", {}))
    instance: Any = error.instance
    extra = [key for key in instance if key not in allowed]
    key = extra[0] if extra else "?"
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'?" if close else f"allowed keys here: {', '.join(allowed)}"
    where = f"'{_parent_name(path)}'" if path else "the top level"
    return f"unknown key '{key}' in {where}", hint, (*path, key)


def _explain_required(error: ValidationError, positions: Positions, path: PathKey) -> Explained:
    missing = str(error.message).split("'")[1] if "'" in error.message else str(error.message)
    where = f"'{_parent_name(path)}'" if path else "the contract"
    return f"missing required key '{missing}' in {where}", f"add '{missing}: ...'", path


def _explain_type(error: ValidationError, positions: Positions, path: PathKey) -> Explained:
    expected: Any = error.validator_value
    names = [expected] if isinstance(expected, str) else list(expected)
    wanted = " or ".join(_JSON_TYPES.get(name, name) for name in names)
    scalar = positions.scalars.get(path)
    hint = _yaml11_hint(scalar, names) if scalar else ""
    message = f"expected {wanted}, got {describe_scalar(error.instance)}"
    if scalar and not scalar.quoted and "string" in names:
        message += f" (written as {scalar.raw!r})"
    return message, hint, path


def _yaml11_hint(scalar: Scalar, names: list[str]) -> str:
    if "string" in names and not scalar.quoted:
        return f"YAML reads {scalar.raw} as a non-string; quote it: '{scalar.raw}'"
    return ""


def _explain_enum(error: ValidationError, positions: Positions, path: PathKey) -> Explained:
    values: Any = error.validator_value
    options = [str(option) for option in values]
    found = describe_scalar(error.instance)
    close = difflib.get_close_matches(str(error.instance), options, n=1, cutoff=0.5)
    hint = f"did you mean '{close[0]}'?" if close else f"use one of: {', '.join(options)}"
    scalar = positions.scalars.get(path)
    if scalar and not scalar.quoted and not isinstance(error.instance, str):
        hint = f"YAML reads {scalar.raw} as {found}; quote it, or {hint}"
    return f"expected one of {', '.join(options)}; got {found}", hint, path


def _explain_const(error: ValidationError, positions: Positions, path: PathKey) -> Explained:
    return (
        f"expected {error.validator_value!r}, got {describe_scalar(error.instance)}",
        f"this version of harness reads format {error.validator_value}",
        path,
    )


def _explain_pattern(error: ValidationError, positions: Positions, path: PathKey) -> Explained:
    about = _schema_of(error).get(
        "description", f"it must match the pattern {error.validator_value}"
    )
    return f"{describe_scalar(error.instance)} is not valid here", about, path


def _explain_format(error: ValidationError, positions: Positions, path: PathKey) -> Explained:
    fmt = str(error.validator_value)
    example = {"date": "2026-09-01", "date-time": "2026-09-01T10:00:00Z"}.get(fmt, "")
    hint = f"write it like {example}" if example else ""
    return f"{describe_scalar(error.instance)} is not a valid {fmt}", hint, path


def _explain_one_of(error: ValidationError, positions: Positions, path: PathKey) -> Explained:
    if _parent_name(path) in ("rate_limits",) or (path and path[0] == "rate_limits"):
        return (
            "a rate limit is either 'limit' + 'window' or 'concurrent', not both or neither",
            "e.g. {limit: 60, window: 1m} or {concurrent: 5}",
            path,
        )
    return _explain_default(error, positions, path)


def _explain_default(error: ValidationError, positions: Positions, path: PathKey) -> Explained:
    return str(error.message), "", path


def _schema_of(error: ValidationError) -> Mapping[str, Any]:
    schema = error.schema
    return schema if isinstance(schema, Mapping) else {}


def _parent_name(path: PathKey) -> str:
    for part in reversed(path):
        if isinstance(part, str):
            return part
    return "$"


_EXPLAINERS = {
    "additionalProperties": _explain_additional,
    "required": _explain_required,
    "type": _explain_type,
    "enum": _explain_enum,
    "const": _explain_const,
    "pattern": _explain_pattern,
    "format": _explain_format,
    "oneOf": _explain_one_of,
}
