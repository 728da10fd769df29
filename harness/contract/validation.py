"""Validate contract data against the shipped JSON Schema, in the user's words.

jsonschema finds the problems; this module turns each into a ``Problem`` that names the
line, says what was expected and found, and suggests the fix ("did you mean 'rate_limits'?").
"""

from __future__ import annotations

import copy
import difflib
import json
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError

from harness.contract.bounds import bound_problems
from harness.contract.plugins import SIGNATURE_SCHEMES, TRANSFORMS, plugin_names
from harness.contract.source import PathKey, Positions, describe_scalar
from harness.contract.variables import SECRET_PATHS
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

# The schema's patterns, said in words: (what the value must be, how to write one).
PATTERNS = {
    r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$": (
        "an ISO 8601 period",
        "write P, a number and a unit (Y, M, W or D), e.g. P1W, P3M, P1Y",
    ),
    "^[0-9]+(ms|s|m|h|d)$": (
        "a duration",
        "write a whole number and a unit (ms, s, m, h or d) without spaces, e.g. 30s, 1m, 1h",
    ),
    "^[A-Z]{3}$": ("an ISO 4217 currency code", "three capital letters, e.g. USD, EUR, GBP"),
    "^/": (
        "a path starting with '/'",
        "write it as the OpenAPI document does, e.g. /users/{id}, or glob with /admin/*",
    ),
    "^[0-9a-f]{64}$": (
        "a SHA-256 digest",
        "the 64 lowercase hex digits `sha256sum FILE` prints",
    ),
    "^[A-Z_][A-Z0-9_]*$": (
        "an environment variable name",
        "capital letters, digits and '_', e.g. ACME_TIMEOUT",
    ),
    "^[A-Za-z_][A-Za-z0-9_]*$": (
        "an entity name",
        "letters, digits and '_', not starting with a digit, e.g. contact",
    ),
    r"^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z0-9_.\[\]]+$": (
        "an entity.field path",
        "name a mapped field as entity.field, e.g. contact.email",
    ),
    r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$": (
        "a module:function reference",
        "e.g. myproject.transforms:normalize_phone",
    ),
    "^[a-z0-9][a-z0-9-]*$": ("a slug", "lowercase letters, digits and '-', e.g. acme-crm"),
    "^[a-z][a-z0-9_-]*$": (
        "an environment name",
        "lowercase letters, digits, '_' and '-', starting with a letter, e.g. sandbox",
    ),
}


@cache
def format_schema() -> dict[str, Any]:
    """The JSON Schema of the contract format, as shipped in the package."""
    text = resources.files("harness.contract").joinpath("integration.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator(
    schemes: tuple[str, ...], transforms: tuple[str, ...]
) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        with_plugin_names(format_schema(), schemes, transforms),
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )


def with_plugin_names(
    schema: dict[str, Any], schemes: Iterable[str], transforms: Iterable[str]
) -> dict[str, Any]:
    """A copy of ``schema`` whose scheme and transform enums also hold the plugins' names.

    The shipped schema lists the built-in names (editors complete them); a name an installed
    package declares as an entry point (``contract.plugins``) is as valid as a built-in one.
    """
    extended = copy.deepcopy(schema)
    defs = extended["$defs"]
    for enum, extra in (
        (defs["webhooks"]["properties"]["signature"]["properties"]["scheme"]["enum"], schemes),
        (defs["field_mapping"]["properties"]["transform"]["enum"], transforms),
    ):
        enum.extend(name for name in extra if name not in enum)
    return extended


def validate_data(data: Any, positions: Positions) -> list[Problem]:
    """Every way ``data`` breaks the format, one problem per node, in file order."""
    problems: dict[tuple[str, str], Problem] = {}
    validator = _validator(plugin_names(SIGNATURE_SCHEMES), plugin_names(TRANSFORMS))
    for error in _leaf_errors(validator.iter_errors(data)):
        for problem in _explain(error, positions):
            problems.setdefault((problem.location.path, problem.message), problem)
    for problem in bound_problems(data, positions):  # past what any integration needs
        problems.setdefault((problem.location.path, problem.message), problem)
    return sorted(problems.values(), key=lambda p: (p.location.line, p.location.column))


def _leaf_errors(errors: Iterable[ValidationError]) -> Iterator[ValidationError]:
    """Descend into oneOf/anyOf to the most relevant branch error.

    A value that fails every branch on its type (``ours: 5`` for "a string or a list") and
    an object that fails on which keys it has (a rate limit) are explained as a whole.
    """
    for error in errors:
        if error.validator in ("oneOf", "anyOf") and error.context:
            fitting = _fitting_branch(error.context)
            if fitting:  # 'type: [rest, webhok]': the list branch is the one meant
                yield from _leaf_errors([jsonschema.exceptions.best_match(fitting) or fitting[0]])
                continue
            own = [sub for sub in error.context if not sub.relative_path]
            if own and all(sub.validator in ("type", "required", "not") for sub in own):
                yield error
                continue
            best = jsonschema.exceptions.best_match(error.context)
            if best is not None:
                yield from _leaf_errors([best])
                continue
        yield error


def _fitting_branch(context: list[ValidationError]) -> list[ValidationError]:
    """The errors of the only branch whose type fits the value (empty if not exactly one)."""
    branches: dict[Any, list[ValidationError]] = {}
    for sub in context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    fitting = [
        subs
        for subs in branches.values()
        if not any(sub.validator == "type" and not sub.relative_path for sub in subs)
    ]
    return fitting[0] if len(fitting) == 1 and len(branches) > 1 else []


def _explain(error: ValidationError, positions: Positions) -> Iterator[Problem]:
    path: PathKey = tuple(error.absolute_path)
    if error.validator == "additionalProperties":
        for message, hint, where in _explain_additional(error, path):
            yield Problem(positions.locate(where), message, hint)
        return
    explain = _EXPLAINERS.get(str(error.validator), _explain_default)
    message, hint, where = explain(error, positions, path)
    yield Problem(positions.locate(where), message, hint or _EXAMPLE_HINT)


Explained = tuple[str, str, PathKey]
_EXAMPLE_HINT = "compare with the same section of contracts/acme-crm/integration.yaml"


def _explain_additional(error: ValidationError, path: PathKey) -> Iterator[Explained]:
    allowed = sorted(_schema_of(error).get("properties", {}))
    instance: Any = error.instance
    for key in (key for key in instance if key not in allowed):
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        hint = (
            f"did you mean '{close[0]}'?" if close else f"allowed keys here: {', '.join(allowed)}"
        )
        yield f"unknown key '{key}' in {_where(path)}", hint, (*path, key)


def _explain_required(error: ValidationError, positions: Positions, path: PathKey) -> Explained:
    missing = str(error.message).split("'")[1] if "'" in error.message else str(error.message)
    message = f"missing required key '{missing}' in {_where(path)}"
    instance: Any = error.instance
    if "then" in error.schema_path and isinstance(instance, Mapping) and "type" in instance:
        message += f" (type {instance['type']} needs it)"
    return message, f"add '{missing}: ...'", path


def _explain_type(error: ValidationError, positions: Positions, path: PathKey) -> Explained:
    expected: Any = error.validator_value
    names = [expected] if isinstance(expected, str) else list(expected)
    wanted = " or ".join(_JSON_TYPES.get(name, name) for name in names)
    return _type_problem(wanted, names, error.instance, positions, path)


def _type_problem(
    wanted: str, names: list[str], instance: Any, positions: Positions, path: PathKey
) -> Explained:
    scalar = positions.scalars.get(path)
    if path in SECRET_PATHS:  # never echo what may be a secret written inline
        return f"expected {wanted}, got {_kind(instance)}", "write it as ${VARIABLE_NAME}", path
    message = f"expected {wanted}, got {describe_scalar(instance)}"
    if scalar and not scalar.quoted and "string" in names and not isinstance(instance, str):
        message += f" (written as {scalar.raw!r})"
        found = describe_scalar(instance)
        return message, f"YAML reads {scalar.raw} as {found}; quote it: '{scalar.raw}'", path
    return message, _type_hint(names, instance, scalar.raw if scalar else ""), path


def _type_hint(names: list[str], instance: Any, raw: str) -> str:
    if isinstance(instance, str) and "${" in instance:
        return "${VAR} is substituted only into text; write the value itself here"
    if "integer" in names or "number" in names:
        numeric = isinstance(instance, str) and instance.strip().lstrip("-").replace(".", "", 1)
        if numeric and numeric.isdigit():
            return f"remove the quotes: {instance}"
        return "write a whole number, e.g. 3" if "integer" in names else "write a number, e.g. 1.5"
    if "boolean" in names:
        return "write true or false, without quotes"
    if "array" in names:
        if isinstance(instance, dict):
            return "write a list: one '- item' per line, or [a, b]"
        return f"write a list, e.g. [{raw or '...'}] or one '- item' per line"
    if "object" in names and instance is None:
        return "the key has no value: write its keys on the lines below it, indented"
    if "object" in names:
        return "write 'key: value' lines indented below it"
    if isinstance(instance, dict):
        return "text with ': ' in it reads as a mapping; quote it"
    if isinstance(instance, list):
        return "text starting with '- ' or '[' reads as a list; quote it"
    return _EXAMPLE_HINT


def _kind(instance: Any) -> str:
    if isinstance(instance, bool):
        return "true or false"
    if isinstance(instance, int | float):
        return "a number"
    return describe_scalar(instance) if isinstance(instance, dict | list) else "null"


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
    wanted = error.validator_value
    found = describe_scalar(error.instance)
    if isinstance(error.instance, str) and error.instance == str(wanted):
        return f"expected {wanted!r}, got {found}", f"remove the quotes: {wanted}", path
    return (
        f"expected {wanted!r}, got {found}",
        f"this version of harness reads format {wanted}",
        path,
    )


def _explain_pattern(error: ValidationError, positions: Positions, path: PathKey) -> Explained:
    pattern = str(error.validator_value)
    what, hint = PATTERNS.get(pattern, ("in the expected form", ""))
    hint = hint or _schema_of(error).get("description") or f"it must match {pattern}"
    if "propertyNames" in error.schema_path:  # the key is wrong, not its value
        return f"key {error.instance!r} is not {what}", hint, (*path, str(error.instance))
    return f"{describe_scalar(error.instance)} is not {what}", hint, path


def _explain_format(error: ValidationError, positions: Positions, path: PathKey) -> Explained:
    fmt = str(error.validator_value)
    example = {"date": "2026-09-01", "date-time": "2026-09-01T10:00:00Z"}.get(fmt, "")
    hint = f"write it like {example}" if example else ""
    return f"{describe_scalar(error.instance)} is not a valid {fmt}", hint, path


def _explain_bound(error: ValidationError, positions: Positions, path: PathKey) -> Explained:
    schema = _schema_of(error)
    low, high = schema.get("minimum", schema.get("exclusiveMinimum")), schema.get("maximum")
    if error.validator == "maximum":
        message = f"{error.instance} is too large: the most allowed is {high}"
    elif error.validator == "exclusiveMinimum":
        message = f"{error.instance} is too small: it must be more than {low}"
    else:
        message = f"{error.instance} is too small: the least allowed is {low}"
    if low is not None and high is not None:
        hint = f"use a value from {low} to {high}"
    else:
        hint = f"use at most {high}" if low is None else f"use {low} or more"
    return message, hint, path


def _explain_size(error: ValidationError, positions: Positions, path: PathKey) -> Explained:
    if error.validator == "uniqueItems":
        return "the list repeats an item", "remove the duplicate", path
    if error.validator == "minItems":
        return "the list is empty", "add at least one item, or remove the key", path
    return "the value is empty", "write a value, or remove the key", path


def _explain_one_of(error: ValidationError, positions: Positions, path: PathKey) -> Explained:
    instance: Any = error.instance
    own = [sub for sub in error.context or () if not sub.relative_path]
    if path[:1] == ("safety",) and isinstance(instance, Mapping):
        return (*_selector_shape(instance), path)
    if all(sub.validator == "type" for sub in own):
        names = [str(sub.validator_value) for sub in own]
        wanted = " or ".join(_JSON_TYPES.get(name, name) for name in names)
        return _type_problem(wanted, names, instance, positions, path)
    if path[:1] == ("rate_limits",) and isinstance(instance, Mapping):
        return (*_rate_limit_shape(instance), path)
    return _explain_default(error, positions, path)


def _rate_limit_shape(limit: Mapping[str, Any]) -> tuple[str, str]:
    example = "e.g. {limit: 60, window: 1m} or {concurrent: 5}"
    if "concurrent" in limit and ("limit" in limit or "window" in limit):
        message = "a rate limit has either 'limit' + 'window' or 'concurrent', not both"
        return message, "split it into two entries: {limit: 60, window: 1m} and {concurrent: 5}"
    if "limit" in limit:
        return "'limit' needs a 'window' (the period it counts over)", "add e.g. 'window: 1m'"
    if "window" in limit:
        return "'window' needs a 'limit' (how many requests per window)", "add e.g. 'limit: 60'"
    return "a rate limit needs 'limit' + 'window', or 'concurrent'", example


def _selector_shape(selector: Mapping[str, Any]) -> tuple[str, str]:
    given = [key for key in ("operation", "path", "tag") if key in selector]
    if given:
        message = f"a safety entry picks by one of operation, path or tag, not {' + '.join(given)}"
        return message, "split it into one entry per selector"
    example = "e.g. {operation: deleteUser}, {path: /users/{id}, methods: [delete]}, {tag: admin}"
    return "a safety entry needs one of 'operation', 'path' or 'tag'", example


def _explain_default(error: ValidationError, positions: Positions, path: PathKey) -> Explained:
    return str(error.message), "", path


def _schema_of(error: ValidationError) -> Mapping[str, Any]:
    schema = error.schema
    return schema if isinstance(schema, Mapping) else {}


def _where(path: PathKey) -> str:
    """'the top level', 'info', or 'an entry of fields' for the node at ``path``."""
    if not path:
        return "the top level"
    names = [part for part in path if isinstance(part, str)]
    if isinstance(path[-1], int):
        return f"an entry of '{names[-1]}'" if names else "a list entry"
    return f"'{names[-1]}'"


_EXPLAINERS = {
    "required": _explain_required,
    "type": _explain_type,
    "enum": _explain_enum,
    "const": _explain_const,
    "pattern": _explain_pattern,
    "format": _explain_format,
    "minimum": _explain_bound,
    "maximum": _explain_bound,
    "exclusiveMinimum": _explain_bound,
    "minLength": _explain_size,
    "minItems": _explain_size,
    "uniqueItems": _explain_size,
    "oneOf": _explain_one_of,
    "anyOf": _explain_one_of,
}
