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
MAX_DEPTH = 200

try:
    _Base: type[Any] = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Base = yaml.SafeLoader


class _DocumentLoader(_Base):  # type: ignore[misc]
    """libyaml with JSON's data model: string keys as written, dates as text.

    A key written twice is remembered (YAML forbids it; a loader would keep the last).
    """

    duplicates: list[tuple[str, int, int, int]]

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[str, Any]:
        own = {id(key) for key, _ in node.value}  # merged keys may be overridden, own keys not
        self.flatten_mapping(node)  # merge keys ('<<')
        mapping: dict[str, Any] = {}
        first: dict[str, int] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = str(key_node.value)
            else:
                key = str(self.construct_object(key_node, deep=True))
            mark = key_node.start_mark
            if id(key_node) in own:
                if key in first:
                    self.duplicates.append((key, mark.line + 1, mark.column + 1, first[key]))
                first[key] = mark.line + 1
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
    return parse_text(text, str(path), as_json=path.suffix.lower() == ".json")


def parse_document(data: bytes, source: str) -> Any:
    """Parse a downloaded document (JSON or YAML, told apart by its first character)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        message = f"not UTF-8 text: byte {exc.start} ({exc.reason})"
        raise ContractError(
            [Problem(Location(source), message, "serve the document as UTF-8")]
        ) from None
    return parse_text(text, source, as_json=text.lstrip().startswith("{"))


def parse_text(text: str, file: str, *, as_json: bool) -> Any:
    """JSON or YAML text → data; duplicate keys, bombs and absurd nesting are problems."""
    try:
        data = _parse_json(text, file) if as_json else _parse_yaml(text, file)
    except RecursionError:
        data = None
        _too_deep(file)
    if _depth_exceeds(data, MAX_DEPTH):
        _too_deep(file)
    return data


def _parse_json(text: str, file: str) -> Any:
    duplicated: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(items)
        if len(result) != len(items):
            duplicated.append(file)
        return result

    try:
        data = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        where = Location(file, exc.lineno, exc.colno)
        hint = "look for a trailing comma, a missing comma or an unquoted key near here"
        raise ContractError([Problem(where, f"invalid JSON: {exc.msg}", hint)]) from None
    if duplicated:
        parse_yaml(text, file)  # names each duplicate key with its line and column
    return data


def _parse_yaml(text: str, file: str) -> Any:
    loader = _DocumentLoader(text)
    loader.duplicates = []
    try:
        data = loader.get_single_data()
    except (yaml.YAMLError, ValueError, TypeError):  # e.g. an unhashable key
        return parse_yaml(text, file).data  # raises with file:line:col
    finally:
        loader.dispose()
    if loader.duplicates:
        raise ContractError([_duplicate(file, *entry) for entry in loader.duplicates[:10]])
    if "*" in text:  # aliases: the shared nodes must not expand without bound, or loop
        _check_aliases(data, text, file)
    return data


def _duplicate(file: str, key: str, line: int, column: int, first: int) -> Problem:
    message = f"duplicate key '{key}' (first defined on line {first})"
    hint = "remove one of them; YAML would silently keep only the last"
    return Problem(Location(file, line, column, "$"), message, hint)


def _depth_exceeds(data: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(data, 0)]
    seen: set[int] = set()
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        if id(node) in seen:
            continue
        if isinstance(node, dict):
            seen.add(id(node))
            stack.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            seen.add(id(node))
            stack.extend((child, depth + 1) for child in node)
    return False


def _too_deep(file: str) -> None:
    message = f"the document is nested more than {MAX_DEPTH} levels deep"
    hint = "no API document needs this depth; flatten it with $ref to components"
    raise ContractError([Problem(Location(file, 1, 1, "$"), message, hint)])


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
