"""A workflow's inputs: generated from its ``inputs`` JSON Schema, unique where they must be.

Generation is Schemathesis's JSON Schema generator (the one the mapping family uses), with
Hypothesis strategies for the formats workflows take (``email``, ``date``, ``uuid``...).

Some inputs must differ between examples or the target refuses the second one: an e-mail
address that must not belong to an existing contact. ``unique_inputs`` finds them: inputs a
step sends into a field the contract's 409 error trigger names (``errors: - status: 409,
trigger: {operation: createContact, body: {email: ...}}``), inputs marked ``x-unique: true``,
and inputs of ``format: email``. ``Uniquifier`` then tags each run's value with the run's
number (``ada+wf3k9x-12@example.com``, ``name-wf3k9x-12``) inside the schema's bounds, so Hypothesis
still chooses (and shrinks) the value and two runs never share one.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs
from hypothesis import strategies as st

from harness._compat.schemathesis import json_schema_strategy
from harness.contract import Contract
from harness.workflows import Workflow

_HINTS = ("email", "username", "login", "slug", "sku", "handle", "code", "key")
_INPUT = re.compile(r"^\$inputs\.([A-Za-z0-9_\-]+)$")
_LOCAL_PART_MAX = 64

FORMATS: dict[str, st.SearchStrategy[str]] = {
    "email": st.emails(),
    "date": st.dates().map(str),
    "date-time": st.datetimes().map(lambda moment: moment.isoformat() + "Z"),
    "uuid": st.uuids().map(str),
}


def inputs_strategy(schema: Mapping[str, Any] | None) -> st.SearchStrategy[dict[str, Any]]:
    """Inputs the workflow's schema admits (an empty object when it declares none)."""
    if not schema:
        return st.just({})
    strategy = json_schema_strategy(
        dict(schema), draft=jsonschema_rs.Draft202012, formats=dict(FORMATS)
    )
    return strategy.filter(lambda value: isinstance(value, dict))


def unique_inputs(contract: Contract, workflow: Workflow) -> frozenset[str]:
    """The inputs no two runs may share (see the module docstring for how they are found)."""
    properties = (workflow.inputs or {}).get("properties") or {}
    found = {
        name
        for name, spec in properties.items()
        if isinstance(spec, Mapping) and (spec.get("x-unique") or spec.get("format") == "email")
    }
    unique_fields = _conflicting_fields(contract)
    for step in workflow.steps:
        if isinstance(step.payload, Mapping) and step.operation_id in unique_fields:
            for key, value in step.payload.items():
                match = _INPUT.match(value) if isinstance(value, str) else None
                if match and key in unique_fields[step.operation_id]:
                    found.add(match.group(1))
    return frozenset(name for name in found if name in properties)


def _conflicting_fields(contract: Contract) -> dict[str, set[str]]:
    """Body fields of each operation whose repetition the contract says answers 409."""
    fields: dict[str, set[str]] = {}
    for error in contract.errors:
        trigger = error.trigger
        if error.status != 409 or trigger is None or not isinstance(trigger.body, Mapping):
            continue
        keys = [str(key) for key in trigger.body]
        hinted = [key for key in keys if any(hint in key.lower() for hint in _HINTS)]
        fields.setdefault(trigger.operation, set()).update(hinted or keys)
    return fields


@dataclass(slots=True)
class Uniquifier:
    """Tags the unique inputs of each run with the run's number (deterministic per seed)."""

    schema: Mapping[str, Any] | None
    names: frozenset[str]
    seed: int
    salt: str = ""  # the workflow's id: two workflows of one run never share a tag
    runs: int = 0
    _properties: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._properties = (self.schema or {}).get("properties") or {}

    def apply(self, inputs: Mapping[str, Any]) -> dict[str, Any]:
        self.runs += 1
        tag = f"wf{_base36(zlib.crc32(f'{self.salt}:{self.seed}'.encode()) % 36**4)}-{self.runs}"
        unique = dict(inputs)
        for name in self.names:
            value = unique.get(name)
            if isinstance(value, str):
                unique[name] = _tagged(value, tag, self._properties.get(name) or {})
        return unique


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, digit = divmod(number, 36)
        text = digits[digit] + text
        if not number:
            return text


def _tagged(value: str, tag: str, spec: Mapping[str, Any]) -> str:
    if spec.get("format") == "email" and value.count("@") == 1:
        local, _, domain = value.partition("@")
        local = local[: _LOCAL_PART_MAX - len(tag) - 1].rstrip(".")
        candidate = f"{local}+{tag}@{domain}"
    else:
        limit = spec.get("maxLength")
        room = (limit - len(tag) - 1) if isinstance(limit, int) else len(value)
        if room < 0:
            return value
        candidate = f"{value[:room]}-{tag}"
    pattern = spec.get("pattern")
    if isinstance(pattern, str) and re.search(pattern, candidate) is None:
        return value  # the schema does not allow a tag here: keep what was generated
    limit = spec.get("maxLength")
    if isinstance(limit, int) and len(candidate) > limit:
        return value
    return candidate
