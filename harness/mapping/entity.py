"""A whole entity mapping, applied both ways: ours (JSON) → theirs (JSON) and back.

Each contract field mapping becomes a ``FieldPlan`` (its transform built, its paths parsed).
``map_forward``/``map_backward`` apply every field in turn and return JSON-ready payloads
(datetimes and dates as ISO text, decimals as text). Conventions:

- a field whose source is absent is not written; a ``null`` source maps to ``null`` (except for
  ``default`` and ``constant``, which exist to fill it);
- one-way fields (``constant``, ``format``, ``python`` without ``inverse``) are skipped backward;
- ``money`` over two paths on each side (``[amountCents, currency]`` ↔ ``[amount, currency]``)
  with no ``currency``/``exponent`` option reads the currency from the second path, per record.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from functools import cache
from typing import Any

from harness.contract import Contract
from harness.contract.model import EntityMapping, FieldMapping
from harness.errors import HarnessError, Location, Problem
from harness.mapping.errors import TransformError, TransformSpecError, show
from harness.mapping.paths import MISSING, FieldPath, PathError, get_path, parse_path, set_path
from harness.mapping.transforms import Transform, build_transform

_FILLERS = frozenset({"default", "constant"})
_DECIMAL_TEXT = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


class Direction(StrEnum):
    FORWARD = "forward"  # ours → theirs
    BACKWARD = "backward"  # theirs → ours


@dataclass(frozen=True, slots=True, kw_only=True)
class CurrencyMoney:
    """``money`` whose currency is a second field: ``(minor, "USD")`` ↔ ``("12.34", "USD")``."""

    ours_unit: str = "minor"
    name: str = "money"
    lossy: bool = False

    def forward(self, value: Any) -> Any:
        amount, currency = _pair(value)
        return (_money(currency, self.ours_unit).forward(amount), currency)

    def backward(self, value: Any) -> Any:
        amount, currency = _pair(value)
        return (_money(currency, self.ours_unit).backward(amount), currency)


def _pair(value: Any) -> tuple[Any, str]:
    if not isinstance(value, tuple) or len(value) != 2 or not isinstance(value[1], str):
        raise TransformError("money", f"expected (amount, currency code), got {show(value)}")
    return value[0], value[1]


@cache
def _money(currency: str, ours_unit: str) -> Transform:
    try:
        return build_transform({"transform": "money", "currency": currency, "ours_unit": ours_unit})
    except TransformSpecError as exc:
        raise TransformError("money", f"currency {currency!r}: {exc.message}") from None


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldPlan:
    """One field mapping, ready to apply."""

    mapping: FieldMapping
    transform: Transform
    ours: tuple[FieldPath, ...]
    theirs: tuple[FieldPath, ...]

    @property
    def ours_text(self) -> str:
        return ", ".join(path.text for path in self.ours)

    @property
    def theirs_text(self) -> str:
        return ", ".join(path.text for path in self.theirs)

    @property
    def exact(self) -> bool:
        return not self.transform.lossy

    @property
    def one_way(self) -> bool:
        name = self.transform.name
        return name in {"constant", "format"} or (
            name == "python" and getattr(self.transform, "inverse", True) is None
        )

    def paths(self, direction: Direction) -> tuple[tuple[FieldPath, ...], tuple[FieldPath, ...]]:
        """(source paths, target paths) for a direction."""
        return (
            (self.ours, self.theirs) if direction is Direction.FORWARD else (self.theirs, self.ours)
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class EntityPlan:
    """An entity mapping with every field plan built."""

    name: str
    mapping: EntityMapping
    fields: tuple[FieldPlan, ...]

    @property
    def loc(self) -> Location:
        return self.mapping.loc


class FieldMappingError(HarnessError):
    """A field could not be mapped: its plan, the direction, the source value, and why."""

    def __init__(self, field: FieldPlan, direction: Direction, value: Any, reason: str) -> None:
        self.field = field
        self.direction = direction
        self.value = value
        self.reason = reason
        super().__init__(reason)


def field_spec(mapping: FieldMapping) -> dict[str, Any]:
    """The transform spec of a field mapping (``transform`` left out when ``python:`` names it)."""
    spec: dict[str, Any] = dict(mapping.options)
    name = mapping.transform
    if "python" in spec and name == "direct":
        name = "python"
    spec["transform"] = name
    if mapping.lossy is not None:
        spec["lossy"] = mapping.lossy
    return spec


def plan_field(mapping: FieldMapping) -> FieldPlan:
    """Build one field's plan; raises TransformSpecError for a bad transform spec or path."""
    ours = tuple(parse_path(text) for text in mapping.ours)
    theirs = tuple(parse_path(text) for text in mapping.theirs)
    spec = field_spec(mapping)
    if _is_currency_money(spec, ours, theirs):
        unit = spec.get("ours_unit", "minor")
        _money("USD", unit)  # validates ours_unit
        transform: Transform = CurrencyMoney(ours_unit=unit)
    else:
        transform = build_transform(spec)
    return FieldPlan(mapping=mapping, transform=transform, ours=ours, theirs=theirs)


def _is_currency_money(
    spec: Mapping[str, Any], ours: tuple[Any, ...], theirs: tuple[Any, ...]
) -> bool:
    return (
        spec["transform"] == "money"
        and len(ours) == len(theirs) == 2
        and "currency" not in spec
        and "exponent" not in spec
    )


def plan_entity(mapping: EntityMapping) -> EntityPlan:
    """Build every field of an entity; raises TransformSpecError (see ``spec_problems``)."""
    return EntityPlan(
        name=mapping.name, mapping=mapping, fields=tuple(plan_field(f) for f in mapping.fields)
    )


def spec_problems(contract: Contract) -> list[Problem]:
    """Every field mapping whose transform spec or paths do not build, at its contract line."""
    return [p for entity in contract.mappings.values() for p in entity_spec_problems(entity)]


def entity_spec_problems(entity: EntityMapping) -> list[Problem]:
    """The field mappings of one entity that do not build."""
    problems: list[Problem] = []
    for mapping in entity.fields:
        try:
            plan_field(mapping)
        except TransformSpecError as exc:
            where = f"mapping {entity.name}.{'+'.join(mapping.ours)}"
            text = str(exc).removesuffix(f"; {exc.hint}") if exc.hint else str(exc)
            hint = exc.hint or "see the transform's options in the README"
            problems.append(Problem(mapping.loc, f"{where}: {text}", hint))
    return problems


# --- applying ---------------------------------------------------------------------------------


def map_entity(plan: EntityPlan, source: Any, direction: Direction) -> dict[str, Any]:
    """``source`` mapped field by field; raises FieldMappingError for the first field that fails."""
    result: dict[str, Any] = {}
    for field in plan.fields:
        if direction is Direction.BACKWARD and field.one_way:
            continue
        sources, targets = field.paths(direction)
        value = read_paths(source, sources)
        if value is MISSING:
            continue
        mapped = apply_field(field, value, direction)
        write_paths(result, targets, mapped)
    return result


def map_forward(plan: EntityPlan, ours: Any) -> dict[str, Any]:
    return map_entity(plan, ours, Direction.FORWARD)


def map_backward(plan: EntityPlan, theirs: Any) -> dict[str, Any]:
    return map_entity(plan, theirs, Direction.BACKWARD)


def apply_field(field: FieldPlan, value: Any, direction: Direction) -> Any:
    """One field's value through its transform, as JSON; FieldMappingError if it will not go."""
    if value is None and field.transform.name not in _FILLERS:
        return None
    function = (
        field.transform.forward if direction is Direction.FORWARD else field.transform.backward
    )
    try:
        return to_json(function(value))
    except TransformError as exc:
        raise FieldMappingError(field, direction, value, exc.message) from exc


def read_paths(obj: Any, paths: tuple[FieldPath, ...]) -> Any:
    """One path's value, or a tuple for several; MISSING when every path is absent."""
    values = tuple(_read(obj, path) for path in paths)
    if all(value is MISSING for value in values):
        return MISSING
    if len(values) == 1:
        return values[0]
    return tuple(None if value is MISSING else value for value in values)


def _read(obj: Any, path: FieldPath) -> Any:
    try:
        return get_path(obj, path, default=MISSING)
    except PathError:
        return MISSING


def write_paths(obj: dict[str, Any], paths: tuple[FieldPath, ...], value: Any) -> None:
    if len(paths) == 1:
        set_path(obj, paths[0], value)
        return
    parts = value if isinstance(value, list | tuple) else (value,)
    for path, part in zip(paths, parts, strict=False):
        set_path(obj, path, part)


def to_json(value: Any) -> Any:
    """A transform's output as JSON: ISO text for dates, text for decimals, lists for tuples."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, tuple | list):
        return [to_json(item) for item in value]
    return value


# --- comparing --------------------------------------------------------------------------------


def same_value(expected: Any, received: Any, *, amounts: bool = False) -> bool:
    """Equal as data: ISO date-times by instant *and* offset, numbers by value, tuples as lists.

    ``amounts``: decimal text counts as a number too (``"12.5"`` equals ``"12.50"``).
    """
    if amounts:
        return bool(_amounts(expected) == _amounts(received))
    return bool(_canonical(expected) == _canonical(received))


def _amounts(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_amounts(item) for item in value)
    if isinstance(value, str) and _DECIMAL_TEXT.fullmatch(value):
        return Decimal(value)
    return _canonical(value)


def difference(expected: Any, received: Any) -> str:
    """A short diagnosis of why two values differ ('offset lost', 'off by a factor of 100')."""
    left, right = _canonical(expected), _canonical(received)
    if isinstance(left, tuple) and isinstance(right, tuple) and left[:1] == right[:1] == ("t",):
        if left[1] == right[1]:
            return "offset lost"
        return "different instant"
    if isinstance(left, Decimal) and isinstance(right, Decimal) and left and right:
        ratio = left / right if abs(left) > abs(right) else right / left
        if ratio == ratio.to_integral_value() and str(ratio.normalize()).startswith("1"):
            return f"off by a factor of {ratio.normalize():f}"
    return "changed"


def _canonical(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_canonical(item) for item in value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    if isinstance(value, str):
        return _canonical_text(value)
    return value


def _canonical_text(text: str) -> Any:
    if len(text) >= 20 and text[4:5] == "-" and text[10:11] in {"T", "t", " "}:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return text
        if moment.utcoffset() is not None:
            return ("t", moment, moment.utcoffset())
    return text
