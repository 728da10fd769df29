"""Documents a contract references (OpenAPI, Arazzo, JSON Schemas): read as JSON would.

Vendor documents can be large, so they are parsed with libyaml (or ``json``) and without
positions; a syntax error is re-parsed by ``parse_yaml`` for its line and column. YAML 1.1
reads ``200:`` as an integer key and ``2024-01-01`` as a date; JSON has neither, so keys stay
the text written and dates stay strings. Aliases are shared, not copied, so an alias bomb
costs no memory here, but every later walk would expand it: it is refused up front.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from harness.contract.source import display_path, expanded_sizes, parse_yaml, read_text
from harness.errors import ContractError, Location, Problem

MAX_EXPANDED = 5_000_000

try:
    _Base: type[Any] = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Base = yaml.SafeLoader


class _DocumentLoader(_Base):  # type: ignore[misc]
    """libyaml with JSON's data model: string keys as written, dates as text."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[str, Any]:
        self.flatten_mapping(node)  # merge keys ('<<')
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = str(key_node.value)
            else:
                key = str(self.construct_object(key_node, deep=True))
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


for _tag in ("timestamp", "binary"):
    _DocumentLoader.add_constructor(
        f"tag:yaml.org,2002:{_tag}", yaml.constructor.SafeConstructor.construct_yaml_str
    )


def read_document(path: Path, used_at: Location) -> Any:
    """Parse a YAML or JSON file; a problem names the file (and line), never a traceback."""
    try:
        text = read_text(path, str(path))  # not UTF-8: a problem at the line of the bad byte
    except OSError as exc:
        reason = exc.strerror or str(exc)
        hint = f"paths are relative to the contract's folder; looked for {display_path(path)}"
        raise ContractError(
            [Problem(used_at, f"cannot read {path.name}: {reason}", hint)]
        ) from None
    if path.suffix == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            where = Location(str(path), exc.lineno, exc.colno)
            hint = "look for a trailing comma, a missing comma or an unquoted key near here"
            raise ContractError([Problem(where, f"invalid JSON: {exc.msg}", hint)]) from None
    try:
        data = yaml.load(text, Loader=_DocumentLoader)  # noqa: S506 - a SafeLoader subclass
    except (yaml.YAMLError, ValueError, TypeError):  # e.g. an unhashable key
        return parse_yaml(text, str(path)).data  # raises with file:line:col
    if "*" in text:  # aliases: the shared nodes must not expand without bound, or loop
        _check_aliases(data, text, str(path))
    return data


def _check_aliases(data: Any, text: str, file: str) -> None:
    try:
        sizes = expanded_sizes(data, _children)
    except RecursionError:
        sizes = {}
    if sizes and sizes[id(data)] - len(sizes) <= MAX_EXPANDED:
        return
    parse_yaml(text, file)  # names the alias and its line (recursive, or over its node limit)
    message = f"aliases expand the document by more than {MAX_EXPANDED:,} nodes"
    hint = "do not nest aliases (*name) of aliases; write the values out"
    raise ContractError([Problem(Location(file, 1, 1), message, hint)])


def _children(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return list(node.values())
    if isinstance(node, list):
        return node
    return []
