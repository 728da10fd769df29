"""YAML text → plain data plus the position of every node.

PyYAML composes the node graph (with the C parser when available, for speed); we build the
data ourselves so that duplicate keys are errors rather than last-wins, alias expansion and
nesting are bounded (an "alias bomb" is an error, not an out-of-memory), and each node's line
and column is kept under its JSON path for error messages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from harness.contract.syntax import reader_problem, syntax_problem
from harness.errors import ContractError, Location, Problem

try:
    _Loader: type[Any] = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

PathKey = tuple[str | int, ...]
MAX_NODES = 200_000  # how many nodes aliases may add to a document
MAX_DEPTH = 100
_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


def format_path(path: PathKey) -> str:
    """Render a JSON path such as ``$.errors[0].trigger``."""
    text = "$"
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def display_path(file: Path) -> str:
    """How a file is named in messages: relative to the working directory when under it."""
    try:
        return str(file.resolve().relative_to(Path.cwd()))
    except (ValueError, OSError):
        return str(file)


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
    _by_text: dict[str, PathKey] = field(default_factory=dict, repr=False)

    def locate(self, path: PathKey) -> Location:
        """The location of ``path``, or of its nearest ancestor that has one."""
        probe = tuple(path)
        while probe not in self.marks and probe:
            probe = probe[:-1]
        line, column = self.marks.get(probe, (0, 0))
        return Location(self.file, line, column, format_path(tuple(path)))

    def path_of(self, location: Location) -> PathKey | None:
        """The JSON path of a location this file handed out (None for another file's)."""
        if location.file != self.file:
            return None
        if not self._by_text:
            self._by_text.update((format_path(path), path) for path in self.marks)
        return self._by_text.get(location.path)

    def child(self, parent: Location, *keys: str | int) -> Location:
        """The location of a node below ``parent`` (a location this file handed out)."""
        path = self.path_of(parent)
        return parent if path is None else self.locate((*path, *keys))


@dataclass(frozen=True, slots=True)
class Source:
    """A parsed YAML document: its data and where each node came from."""

    data: Any
    positions: Positions


def read_text(file: Path, display: str) -> str:
    """A file's text; a file that is not UTF-8 is a problem at the first bad byte."""
    data = file.read_bytes()  # OSError is the caller's to word: it knows who named the file
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        byte = data[exc.start : exc.start + 1].hex()
        problem = Problem(
            Location(display, line, column),
            f"not UTF-8 text: byte 0x{byte} ({exc.reason})",
            "save the file as UTF-8 (it looks like Latin-1 or Windows-1252)",
        )
        raise ContractError([problem]) from None


def parse_yaml(text: str, file: str, *, strict: bool = True) -> Source:
    """Parse one YAML document, raising ContractError with file:line:col on any problem.

    ``strict=False`` is for finding positions in a document someone else wrote (an OpenAPI
    file): duplicate keys and the like are then not problems, only syntax errors are.
    """
    node = _compose(text, file)
    positions = Positions(file)
    if node is None:
        return Source(None, positions)
    bomb = _alias_bomb(node, file)
    builder = _Builder(positions)
    try:
        if bomb is not None:
            raise ContractError([bomb])
        data = builder.build(node, ())
    except ContractError:
        if strict:
            raise
        return Source(None, positions)
    if builder.problems and strict:
        raise ContractError(builder.problems)
    return Source(data, positions)


def _compose(text: str, file: str) -> yaml.Node | None:
    try:
        node: yaml.Node | None = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise ContractError([syntax_problem(exc, text, file)]) from None
    except yaml.reader.ReaderError as exc:
        raise ContractError([reader_problem(exc, text, file)]) from None
    except (yaml.YAMLError, UnicodeError) as exc:  # e.g. a lone surrogate in a str
        first = str(exc).splitlines()[0]
        problem = Problem(
            Location(file, 1, 1), f"unreadable YAML: {first}", "save it as UTF-8 text"
        )
        raise ContractError([problem]) from None
    return node


def expanded_sizes(root: Any, children: Callable[[Any], Sequence[Any]]) -> dict[int, int]:
    """The size of every node below ``root``, a shared node counted at each of its uses.

    Keyed by ``id``; linear in the distinct nodes, each sized once, so an alias bomb costs
    nothing to measure. A cycle (a recursive alias) raises RecursionError.
    """
    sizes: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            active.discard(id(node))
            sizes[id(node)] = 1 + sum(sizes[id(child)] for child in children(node))
        elif id(node) in active:
            raise RecursionError("recursive alias")
        elif id(node) not in sizes:
            active.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in children(node) if id(child) not in sizes)
    return sizes


def _alias_bomb(root: yaml.Node, file: str) -> Problem | None:
    """A problem at the anchor whose aliases blow the document up, if any does."""
    try:
        sizes = expanded_sizes(root, _node_children)
    except RecursionError:
        return None  # the builder names the recursive alias and its line
    if sizes[id(root)] - len(sizes) <= MAX_NODES:
        return None
    node, path = root, PathKey()
    while True:  # descend to the smallest node that still expands past the limit
        keyed = _keyed_children(node)
        if not keyed:
            break
        key, child = max(keyed, key=lambda pair: sizes[id(pair[1])])
        if sizes[id(child)] <= MAX_NODES:
            break
        node, path = child, (*path, key)
    mark = node.start_mark
    location = Location(file, mark.line + 1, mark.column + 1, format_path(path))
    return Problem(location, _ALIAS_BOMB, _ALIAS_HINT)


def _node_children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _keyed_children(node: yaml.Node) -> list[tuple[str | int, yaml.Node]]:
    if isinstance(node, yaml.MappingNode):
        return [(str(key.value), value) for key, value in node.value]
    if isinstance(node, yaml.SequenceNode):
        return list(enumerate(node.value))
    return []


class _Builder:
    """Walks a composed node graph into plain data, recording positions."""

    def __init__(self, positions: Positions) -> None:
        self.positions = positions
        self.problems: list[Problem] = []
        self._active: set[int] = set()
        self._constructor = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        if path not in self.positions.marks:
            mark = node.start_mark
            self.positions.marks[path] = (mark.line + 1, mark.column + 1)
        if id(node) in self._active:
            raise ContractError([self._problem(node, path, _RECURSIVE, _RECURSIVE_HINT)])
        if len(path) > MAX_DEPTH:
            raise ContractError([self._problem(node, path, _TOO_DEEP, _TOO_DEEP_HINT)])
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
                self._duplicate(key_node, seen[key], (*path, key))
                continue
            seen[key] = key_node
            result[key] = self.build(value_node, (*path, key))
        return result

    def _duplicate(self, node: yaml.Node, first: yaml.Node, path: PathKey) -> None:
        mark = first.start_mark
        message = f"duplicate key '{path[-1]}' (first defined at {mark.line + 1}:{mark.column + 1})"
        hint = "remove one of them; YAML would silently keep only the last"
        self.problems.append(self._problem(node, path, message, hint))

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
                    found = (
                        "a list" if isinstance(source, yaml.SequenceNode) else repr(source.value)
                    )
                    message = f"a merge key '<<' takes a mapping (or a list of them), not {found}"
                    self.problems.append(self._problem(source, path, message, _MERGE_HINT))

    def _key(self, node: yaml.Node, path: PathKey) -> str | None:
        if not isinstance(node, yaml.ScalarNode):
            message = "a mapping key must be a plain string, not a list or a mapping"
            self.problems.append(self._problem(node, path, message, "use a plain word as the key"))
            return None
        if node.tag == _STR_TAG:
            return str(node.value)
        value = self._construct(node, (*path, str(node.value)))
        if isinstance(value, bool | type(None)):
            message = f"key {node.value!r} is read as {_describe(value)} by YAML 1.1"
            hint = f"quote the key: '{node.value}':"
            self.problems.append(self._problem(node, (*path, str(node.value)), message, hint))
            return None
        return str(node.value)

    def _sequence(self, node: yaml.SequenceNode, path: PathKey) -> list[Any]:
        return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]

    def _scalar(self, node: yaml.ScalarNode, path: PathKey) -> Any:
        quoted = node.style not in (None, "")
        self.positions.scalars[path] = Scalar(node.tag, str(node.value), quoted)
        value = self._construct(node, path)
        if isinstance(value, dt.datetime | dt.date):
            return value.isoformat()  # JSON has no date type; the schema says 'format: date'
        if isinstance(value, bytes):
            return value.decode("latin-1")
        if value is not None and not isinstance(value, str | int | float):  # !!set '' and kin
            message = f"a {node.tag.rsplit(':', 1)[-1]} is not a contract value"
            self.problems.append(self._problem(node, path, message, _TAG_HINT))
            return None
        return value

    def _construct(self, node: yaml.ScalarNode, path: PathKey) -> Any:
        try:
            return self._constructor.construct_object(node)
        except yaml.constructor.ConstructorError as exc:
            unknown = "could not determine a constructor" in str(exc.problem)
            message = (
                f"unknown tag {node.tag!r}" if unknown else f"cannot read value: {exc.problem}"
            )
            self.problems.append(self._problem(node, path, message, _TAG_HINT))
        except Exception:  # explicit tags hit any error in PyYAML (!!float "" → IndexError)
            if node.tag == _TIMESTAMP_TAG:  # 2026-13-45: let the schema's date check word it
                return str(node.value)
            raw = node.value if len(node.value) <= 40 else f"{node.value[:37]}..."
            message = f"cannot read {raw!r} as {node.tag.rsplit(':', 1)[-1]}"
            hint = "write a plain value of sensible size, or quote it to keep it text"
            self.problems.append(self._problem(node, path, message, hint))
        return None

    def _problem(self, node: yaml.Node, path: PathKey, message: str, hint: str) -> Problem:
        mark = node.start_mark
        location = Location(self.positions.file, mark.line + 1, mark.column + 1, format_path(path))
        return Problem(location, message, hint)


_ALIAS_BOMB = f"aliases expand this to more than {MAX_NODES:,} nodes (an alias bomb?)"
_ALIAS_HINT = "do not nest aliases (*name) of aliases; write the values out"
_RECURSIVE = "recursive alias: an anchored node contains an alias of itself"
_RECURSIVE_HINT = "an alias (*name) cannot appear inside the node its anchor (&name) marks"
_TOO_DEEP = f"nested more than {MAX_DEPTH} levels deep"
_TOO_DEEP_HINT = "no contract needs this depth; flatten the structure"
_MERGE_HINT = "merge an anchored mapping: '<<: *defaults' (or '<<: [*a, *b]')"
_TAG_HINT = "contracts use plain YAML values: remove the '!tag' (use ${VAR} for secrets)"


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if value is None:
        return "null"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the number {value!r}"
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
