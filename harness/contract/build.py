"""Validated contract data → the frozen model, each node stamped with its location.

The data has already passed the format's JSON Schema, so this stage only reshapes (a few
YAML conveniences become model fields) and converts by the model's type hints.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from collections.abc import Mapping
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any

from harness.contract.contract import Contract
from harness.contract.source import PathKey, Positions, format_path
from harness.contract.variables import REFERENCE
from harness.errors import ContractError, Problem

_FIELD_MAPPING_KEYS = frozenset(
    {"ours", "theirs", "transform", "lossy", "type", "description", "validate"}
)


def build_contract(data: dict[str, Any], positions: Positions, path: Path) -> Contract:
    """Build the model from validated, variable-resolved data.

    The schema has checked every required key is present, but a ``${VAR}`` that is not set
    resolves to nothing; a required field left empty that way is a problem, not a crash.
    """
    shaped = _reshape(data)
    build = _Build(positions)
    fields = {
        name: build.convert(hint, shaped[name], (name,))
        for name, hint in _hints(Contract).items()
        if name in shaped
    }
    if build.problems:
        raise ContractError(build.problems)
    return Contract(
        path=path,
        format_version=int(data["harness"]),
        loc=positions.locate(()),
        **fields,
    )


def _reshape(data: dict[str, Any]) -> dict[str, Any]:
    shaped = dict(data)
    if isinstance(shaped.get("type"), str):  # 'type: rest' is one type
        shaped["type"] = [shaped["type"]]
    environments = {"local": {}, **shaped.get("environments", {})}
    shaped["environments"] = {name: {**env, "name": name} for name, env in environments.items()}
    if "auth" in shaped and "in" in shaped["auth"]:
        auth = dict(shaped["auth"])
        auth["in_"] = auth.pop("in")
        shaped["auth"] = auth
    if "mappings" in shaped:
        shaped["mappings"] = {
            name: _reshape_mapping(name, entity) for name, entity in shaped["mappings"].items()
        }
    if "webhooks" in shaped:
        shaped["webhooks"] = _reshape_webhooks(shaped["webhooks"])
    return shaped


def _reshape_mapping(name: str, entity: dict[str, Any]) -> dict[str, Any]:
    fields = []
    for spec in entity.get("fields", []):
        shaped = {key: value for key, value in spec.items() if key in _FIELD_MAPPING_KEYS}
        for side in ("ours", "theirs"):
            value = spec[side]
            shaped[side] = [value] if isinstance(value, str) else value and list(value)
        shaped["options"] = {k: v for k, v in spec.items() if k not in _FIELD_MAPPING_KEYS}
        fields.append(shaped)
    return {**entity, "name": name, "fields": fields}


def _reshape_webhooks(webhooks: dict[str, Any]) -> dict[str, Any]:
    shaped = dict(webhooks)
    shaped["events"] = {
        name: {**event, "name": name, "trigger": (event.get("trigger") or {}).get("operation")}
        for name, event in webhooks.get("events", {}).items()
    }
    if "subscription" in shaped:
        shaped["subscription"] = shaped["subscription"]["operation"]
    delivery = shaped.pop("delivery", {})
    for key, value in delivery.items():
        shaped[f"delivery_{key}"] = value
    return shaped


@cache
def _hints(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    names = {field.name for field in dataclasses.fields(cls)}
    return {name: hint for name, hint in hints.items() if name in names and name != "loc"}


@cache
def _required(cls: type) -> tuple[str, ...]:
    return tuple(
        field.name
        for field in dataclasses.fields(cls)
        if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
    )


def _source_key(name: str) -> str:
    return "in" if name == "in_" else name


class _Build:
    """Converts data by type hints, collecting problems instead of stopping at the first."""

    def __init__(self, positions: Positions) -> None:
        self.positions = positions
        self.problems: list[Problem] = []

    def node(self, cls: type, data: Mapping[str, Any], path: PathKey) -> Any:
        values = {
            name: self.convert(hint, data[name], (*path, _source_key(name)))
            for name, hint in _hints(cls).items()
            if name in data and data[name] is not None
        }
        missing = [name for name in _required(cls) if values.get(name) is None]
        if missing:  # a nested node that failed has reported already; an unset variable not
            self.report_unset([name for name in missing if data.get(name) is None], path)
            return None
        return cls(loc=self.positions.locate(path), **values)

    def report_unset(self, names: list[str], path: PathKey) -> None:
        for name in names:
            self.report_unset_at((*path, _source_key(name)))

    def report_unset_at(self, path: PathKey) -> None:
        scalar = self.positions.scalars.get(path)
        match = REFERENCE.search(scalar.raw) if scalar else None
        variable = match.group(1) if match else "NAME"
        message = f"'{format_path(path)[2:]}' needs a value, but ${{{variable}}} is not set"
        hint = f"export {variable}=..., or write ${{{variable}:-default}} in the contract"
        self.problems.append(Problem(self.positions.locate(path), message, hint))

    def convert(self, hint: Any, value: Any, path: PathKey) -> Any:
        origin = typing.get_origin(hint)
        if origin in (types.UnionType, typing.Union):
            if value is None:
                return None
            options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
            return self.convert(options[0], value, path) if len(options) == 1 else value
        if dataclasses.is_dataclass(hint) and isinstance(hint, type) and isinstance(value, Mapping):
            return self.node(hint, value, path)
        if origin is tuple:
            item = typing.get_args(hint)[0]
            for index in (i for i, v in enumerate(value) if v is None and item is not Any):
                self.report_unset_at((*path, index))  # a list item that was an unset ${VAR}
            return tuple(self.convert(item, v, (*path, i)) for i, v in enumerate(value))
        if origin is Mapping:
            item = typing.get_args(hint)[1]
            converted = {k: self.convert(item, v, (*path, k)) for k, v in value.items()}
            return types.MappingProxyType(converted)
        return _scalar(hint, value)


def _scalar(hint: Any, value: Any) -> Any:
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(value)
    if hint is dt.date and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if hint is float and isinstance(value, int):
        return float(value)
    return value
