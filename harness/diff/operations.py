"""The operations of an OpenAPI document as a diff pairs them: method, path, parameters,
deprecation and sunset."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from harness.contract.source import PathKey
from harness.diff.document import Document

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_TEMPLATE = re.compile(r"\{[^{}/]*\}")


@dataclass(frozen=True, slots=True)
class Op:
    """One operation as found in a document."""

    method: str
    path: str
    value: Mapping[str, Any]
    item: Mapping[str, Any]

    @property
    def where(self) -> PathKey:
        return ("paths", self.path, self.method)

    @property
    def label(self) -> str:
        name = self.value.get("operationId")
        return str(name) if isinstance(name, str) else f"{self.method.upper()} {self.path}"


def operations(document: Document) -> dict[tuple[str, str], Op]:
    """Operations keyed by (path with parameter names blanked, method)."""
    found: dict[tuple[str, str], Op] = {}
    paths = document.raw.get("paths")
    for path, item in paths.items() if isinstance(paths, Mapping) else ():
        resolved, _ = document.resolve(item, ("paths", path))
        if not isinstance(resolved, Mapping):
            continue
        for method in METHODS:
            value = resolved.get(method)
            if isinstance(value, Mapping):
                found[(_TEMPLATE.sub("{}", str(path)), method)] = Op(
                    method, str(path), value, resolved
                )
    return found


def parameters_of(
    document: Document, op: Op
) -> dict[tuple[str, str], tuple[Mapping[str, Any], PathKey]]:
    """An operation's parameters by (in, name): the path item's, overridden by its own."""
    found: dict[tuple[str, str], tuple[Mapping[str, Any], PathKey]] = {}
    for owner, where in ((op.item, ("paths", op.path)), (op.value, op.where)):
        for index, raw in enumerate(owner.get("parameters") or ()):
            value, at = document.resolve(raw, (*where, "parameters", index))
            if isinstance(value, Mapping) and isinstance(value.get("name"), str):
                place = str(value.get("in", "query"))
                name = value["name"].lower() if place == "header" else value["name"]
                found[(place, name)] = (value, at)
    return found


def has_sunset_header(document: Document, op: Op) -> bool:
    """Whether any response of ``op`` declares a ``Sunset`` header."""
    responses = op.value.get("responses")
    for status, response in responses.items() if isinstance(responses, Mapping) else ():
        value, _ = document.resolve(response, (*op.where, "responses", str(status)))
        headers = value.get("headers") if isinstance(value, Mapping) else None
        if isinstance(headers, Mapping) and any(str(h).lower() == "sunset" for h in headers):
            return True
    return False


def sunset_of(value: Mapping[str, Any]) -> dt.date | None:
    raw = value.get("x-sunset")
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw[:10])
        except ValueError:
            return None
    return None
