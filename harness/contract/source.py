"""YAML text → plain data plus the position of every node.

PyYAML composes the node graph (with the C parser when available, for speed); we build the
data ourselves so that duplicate keys are errors rather than last-wins, alias expansion is
bounded (an "alias bomb" is an error, not an out-of-memory), and each node's line and column
is kept under its JSON path for error messages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from harness.errors import ContractError, Location, Problem

try:
    _Loader: type[Any] = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

PathKey = tuple[str | int, ...]
MAX_NODES = 200_000
_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"


def format_path(path: PathKey) -> str:
    """Render a JSON path such as ``$.errors[0].trigger``."""
    text = "$"
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


@dataclass(frozen=True, slots=True)
class Scalar:
    """How a scalar was written: its tag as resolved by YAML and its raw text."""

    tag: str
    raw: str
    quoted: bool


@dataclass(slots=True)
class Positions:
    """Line/column (1-based) of each node of one file, keyed by JSON path."""

    file: str
    marks: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    scalars: dict[PathKey, Scalar] = field(default_factory=dict)

    def locate(self, path: PathKey) -> Location:
        """The location of ``path``, or of its nearest ancestor that has one."""
        probe = tuple(path)
        while probe not in self.marks and probe:
            probe = probe[:-1]
        line, column = self.marks.get(probe, (0, 0))
        return Location(self.file, line, column, format_path(tuple(path)))


@dataclass(frozen=True, slots=True)
class Source:
    """A parsed YAML document: its data and where each node came from."""

    data: Any
    positions: Positions


def parse_yaml(text: str, file: str) -> Source:
    """Parse one YAML document, raising ContractError with file:line:col on any problem."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise ContractError([_syntax_problem(exc, file)]) from None
    except yaml.YAMLError as exc:
        raise ContractError([Problem(Location(file), f"YAML error: {exc}")]) from None
    positions = Positions(file)
    if node is None:
        return Source(None, positions)
    builder = _Builder(positions)
    data = builder.build(node, ())
    if builder.problems:
        raise ContractError(builder.problems)
    return Source(data, positions)


def _syntax_problem(exc: yaml.MarkedYAMLError, file: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    what = " ".join(part for part in (exc.context, exc.problem) if part)
    return Problem(
        Location(file, line, column),
        f"invalid YAML: {what}",
        "check indentation and quoting near this line; a value with ': ' or '#' needs quotes",
    )


class _Builder:
    """Walks a composed node graph into plain data, recording positions."""

    def __init__(self, positions: Positions) -> None:
        self.positions = positions
        self.problems: list[Problem] = []
        self._count = 0
        self._active: set[int] = set()
        self._constructor = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        self._count += 1
        if self._count > MAX_NODES:
            raise ContractError([self._problem(node, path, _ALIAS_BOMB, _ALIAS_HINT)])
        if path not in self.positions.marks:
            mark = node.start_mark
            self.positions.marks[path] = (mark.line + 1, mark.column + 1)
        if id(node) in self._active:
            raise ContractError([self._problem(node, path, "recursive alias", _ALIAS_HINT)])
        if isinstance(node, yaml.MappingNode):
            return self._guarded(node, path, self._mapping)
        if isinstance(node, yaml.SequenceNode):
            return self._guarded(node, path, self._sequence)
        assert isinstance(node, yaml.ScalarNode)  # the only other node kind
        return self._scalar(node, path)

    def _guarded(self, node: yaml.Node, path: PathKey, build: Any) -> Any:
        self._active.add(id(node))
        try:
            return build(node, path)
        finally:
            self._active.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, path: PathKey) -> dict[str, Any]:
        result: dict[str, Any] = {}
        seen: dict[str, yaml.Node] = {}
        for key_node, value_node in self._pairs(node, path):
            key = self._key(key_node, path)
            if key is None:
                continue
            if key in seen:
                first = seen[key].start_mark.line + 1
                self.problems.append(
                    self._problem(
                        key_node,
                        (*path, key),
                        f"duplicate key '{key}' (first defined on line {first})",
                        "remove one of them; YAML would silently keep only the last",
                    )
                )
                continue
            seen[key] = key_node
            result[key] = self.build(value_node, (*path, key))
        return result

    def _pairs(self, node: yaml.MappingNode, path: PathKey) -> Iterator[tuple[yaml.Node, Any]]:
        for key_node, value_node in node.value:
            if key_node.tag != _MERGE_TAG:
                yield key_node, value_node
                continue
            sources = (
                value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
            )
            for source in sources:
                if isinstance(source, yaml.MappingNode):
                    yield from self._pairs(source, path)
                else:
                    self.problems.append(
                        self._problem(source, path, "a merge key '<<' needs a mapping", "")
                    )

    def _key(self, node: yaml.Node, path: PathKey) -> str | None:
        if isinstance(node, yaml.ScalarNode):
            if node.tag == _STR_TAG:
                return str(node.value)
            value = self._constructor.construct_object(node)
            hint = f"quote the key: '{node.value}'" if node.style is None else ""
            if isinstance(value, bool | type(None)):
                self.problems.append(
                    self._problem(
                        node,
                        (*path, str(node.value)),
                        f"key {node.value!r} is read as {_describe(value)} by YAML 1.1",
                        hint,
                    )
                )
                return None
            return str(node.value)
        self.problems.append(
            self._problem(node, path, "a mapping key must be a plain string", "use a plain word")
        )
        return None

    def _sequence(self, node: yaml.SequenceNode, path: PathKey) -> list[Any]:
        return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]

    def _scalar(self, node: yaml.ScalarNode, path: PathKey) -> Any:
        quoted = node.style not in (None, "")
        self.positions.scalars[path] = Scalar(node.tag, str(node.value), quoted)
        try:
            value = self._constructor.construct_object(node)
        except yaml.constructor.ConstructorError as exc:
            self.problems.append(self._problem(node, path, f"cannot read value: {exc.problem}", ""))
            return None
        if isinstance(value, dt.datetime | dt.date):
            return value.isoformat()  # JSON has no date type; the schema says 'format: date'
        if isinstance(value, bytes):
            return value.decode("latin-1")
        return value

    def _problem(self, node: yaml.Node, path: PathKey, message: str, hint: str) -> Problem:
        mark = node.start_mark
        location = Location(self.positions.file, mark.line + 1, mark.column + 1, format_path(path))
        return Problem(location, message, hint)


_ALIAS_BOMB = f"document expands to more than {MAX_NODES:,} nodes (an alias bomb?)"
_ALIAS_HINT = "do not nest aliases (*name) of aliases; write the values out"


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if value is None:
        return "null"
    return f"the {type(value).__name__} {value!r}"


def describe_scalar(value: Any) -> str:
    """A human description of a loaded value for 'expected X, got Y' messages."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the string {value!r}"
    return _describe(value)
