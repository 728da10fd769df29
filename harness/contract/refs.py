"""Bounded, cycle-safe ``$ref`` resolution over JSON documents (OpenAPI, JSON Schema, Arazzo).

A recursive schema is legal OpenAPI (a tree node whose ``children`` are nodes), so every walk
that follows ``$ref`` must remember where it has been. Everything here is iterative, visits a
node once and has a budget: no document can make it loop, recurse without bound or blow up.
Walkers elsewhere (sandbox, checks, mapping) should use these rather than their own loops:

- ``deref(document, node)``: follow a ``$ref`` chain to the node it ends at (``RefError`` on a
  cycle, a dangling pointer or a non-local reference);
- ``walk_schema(document, schema)``: every subschema reachable from ``schema``, each once;
- ``in_place_closure(document, schema)``: the schemas that apply to the *same* instance
  (through ``$ref``, ``allOf``, ``anyOf``, ``oneOf``, ...), each once;
- ``ref_cycles(document)``: ``$ref`` cycles that never descend into the instance (``A: {$ref:
  B}, B: {$ref: A}`` or ``A: {allOf: [{$ref: A}]}``): no validator can evaluate them, so the
  loader reports them;
- ``inline_schema(schema, root)``: a self-contained copy; recursion kept under ``$defs``.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import unquote

from harness.errors import HarnessError

MAX_CHAIN = 64  # $ref hops one deref may take
MAX_NODES = 200_000  # schemas one walk may visit
MAX_INLINED = 20_000  # nodes an inlined schema may hold before references are kept
MAX_INLINE_DEPTH = 48  # nesting below which a $ref is kept rather than inlined

# Keywords whose subschemas apply to the same instance (a cycle through them never ends) ...
_IN_PLACE_LISTS = ("allOf", "anyOf", "oneOf")
_IN_PLACE_SINGLE = ("not", "if", "then", "else")
# ... and those that descend into a part of it (a cycle through them is a recursive type).
_DESCENDING_MAPS = ("properties", "patternProperties", "dependentSchemas", "$defs", "definitions")
_DESCENDING_SINGLE = (
    "items",
    "additionalProperties",
    "additionalItems",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
)
_LITERALS = frozenset({"example", "examples", "default", "const", "enum"})

PathKey = tuple[str | int, ...]


class RefError(HarnessError, ValueError):
    """A ``$ref`` that cannot be followed: it points at nothing, loops, or leaves the document."""

    def __init__(self, reference: str, reason: str) -> None:
        super().__init__(f"$ref '{reference}' {reason}")
        self.reference = reference
        self.reason = reason


class PointerMiss(RefError):
    """A JSON pointer that names nothing; ``reached`` is the deepest node it did name."""

    def __init__(self, pointer: str, reached: Any) -> None:
        super().__init__("#" + pointer.lstrip("#"), "points at nothing in the document")
        self.pointer = pointer
        self.reached = reached


_RAISE: Any = object()  # ``follow_pointer``'s default: a miss raises ``PointerMiss``


def split_pointer(pointer: str) -> tuple[str, ...]:
    """``/components/schemas/a~1b`` → ``('components', 'schemas', 'a/b')`` (``%xx`` decoded)."""
    tokens = pointer.lstrip("#").lstrip("/").split("/") if pointer.strip("#/") else []
    return tuple(unescape_token(token) for token in tokens)


def unescape_token(token: str, *, percent: bool = True) -> str:
    """A reference token as the key it names (``a~1b`` → ``a/b``; ``%xx`` decoded if asked).

    A ``#`` pointer is a URI fragment, whose tokens are percent-encoded too; a plain JSON
    pointer (a runtime expression's) is not, so its callers pass ``percent=False``.
    """
    if percent and "%" in token:
        token = unquote(token)
    return token.replace("~1", "/").replace("~0", "~")


def escape_token(token: str | int) -> str:
    """A JSON-pointer reference token for a key."""
    return str(token).replace("~", "~0").replace("/", "~1")


def join_pointer(pointer: str, *tokens: str) -> str:
    """``pointer`` extended by ``tokens`` (each escaped): ``/paths`` + ``/a`` → ``/paths/~1a``."""
    return pointer + "".join("/" + escape_token(token) for token in tokens)


def follow_pointer(document: Any, pointer: str | tuple[str, ...], *, default: Any = _RAISE) -> Any:
    """The node at a JSON pointer (``#/components/schemas/Contact`` or without ``#``).

    ``pointer`` is the text or its tokens already split (``split_pointer``). When it names
    nothing: ``default`` if one is given, else ``PointerMiss`` (a ``RefError``).
    """
    tokens = split_pointer(pointer) if isinstance(pointer, str) else pointer
    node = document
    for key in tokens:
        if isinstance(node, Mapping) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        elif default is not _RAISE:
            return default
        else:
            text = (
                pointer if isinstance(pointer, str) else "/" + "/".join(map(escape_token, tokens))
            )
            raise PointerMiss(text, node)
    return node


def local_ref(node: Any) -> str | None:
    """The ``$ref`` of ``node`` if it is a reference within the document (``#...``)."""
    ref = node.get("$ref") if isinstance(node, Mapping) else None
    return ref if isinstance(ref, str) and ref.startswith("#") else None


def deref(document: Any, node: Any, *, limit: int = MAX_CHAIN) -> Any:
    """``node``, or the node its ``$ref`` chain ends at; ``RefError`` on a loop or dead end."""
    return deref_pointer(document, node, limit=limit)[1]


def deref_pointer(document: Any, node: Any, *, limit: int = MAX_CHAIN) -> tuple[str | None, Any]:
    """Like ``deref``, with the pointer of the last ``$ref`` followed (None if none was)."""
    seen: list[str] = []
    pointer: str | None = None
    while isinstance(node, Mapping) and "$ref" in node:
        ref = node["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise RefError(str(ref), "is not a reference inside this document")
        if ref in seen:
            raise RefError(ref, "is part of a cycle of $refs: " + " → ".join([*seen, ref]))
        if len(seen) >= limit:
            raise RefError(ref, f"ends a chain of more than {limit} $refs")
        seen.append(ref)
        pointer = ref
        node = follow_pointer(document, ref)
    return pointer, node


def subschemas(schema: Mapping[str, Any]) -> Iterator[tuple[PathKey, Any, bool]]:
    """(relative path, child, applies in place) for each direct subschema of ``schema``."""
    for keyword in _IN_PLACE_LISTS:
        parts = schema.get(keyword)
        if isinstance(parts, list):
            yield from (((keyword, i), part, True) for i, part in enumerate(parts))
    for keyword in _IN_PLACE_SINGLE:
        if isinstance(schema.get(keyword), Mapping):
            yield (keyword,), schema[keyword], True
    for keyword in _DESCENDING_MAPS:
        children = schema.get(keyword)
        if isinstance(children, Mapping):
            yield from (((keyword, name), child, False) for name, child in children.items())
    for keyword in _DESCENDING_SINGLE:
        child = schema.get(keyword)
        if isinstance(child, Mapping):
            yield (keyword,), child, False
        elif keyword == "items" and isinstance(child, list):  # draft 4 tuples
            yield from (((keyword, i), part, False) for i, part in enumerate(child))
    prefix = schema.get("prefixItems")
    if isinstance(prefix, list):
        yield from ((("prefixItems", i), part, False) for i, part in enumerate(prefix))


def walk_schema(
    document: Any, schema: Any, *, in_place_only: bool = False, max_nodes: int = MAX_NODES
) -> Iterator[Mapping[str, Any]]:
    """Every schema reachable from ``schema`` through subschemas and local ``$ref``s, once each.

    A dangling ``$ref`` is skipped (validation reports it); ``RefError`` past ``max_nodes``.
    """
    seen: set[int] = set()
    stack: list[Any] = [schema]
    while stack:
        node = stack.pop()
        if not isinstance(node, Mapping) or id(node) in seen:
            continue
        seen.add(id(node))
        if len(seen) > max_nodes:
            raise RefError("(walk)", f"reaches more than {max_nodes:,} schemas")
        yield node
        ref = local_ref(node)
        if ref is not None:
            with contextlib.suppress(RefError):  # dangling: validation reports it
                stack.append(follow_pointer(document, ref))
        stack.extend(
            child for _, child, in_place in subschemas(node) if in_place or not in_place_only
        )


def in_place_closure(document: Any, schema: Any) -> list[Mapping[str, Any]]:
    """The schemas that apply to the same instance as ``schema`` (``$ref``, ``allOf``, ...)."""
    return list(walk_schema(document, schema, in_place_only=True))


def ref_cycles(document: Any, *, limit: int = 10) -> list[tuple[PathKey, list[str]]]:
    """Up to ``limit`` (path of a ``$ref``, the cycle) for ``$ref`` cycles that never descend.

    Such a cycle (``A → B → A``, or ``A: {allOf: [{$ref: A}]}``) makes a validator loop: JSON
    Schema leaves its meaning undefined. A recursive type (``children: {items: {$ref: A}}``)
    descends into the instance and is fine.
    """
    graph = _in_place_graph(document)
    found: list[tuple[PathKey, list[str]]] = []
    reported: set[frozenset[tuple[str, ...]]] = set()
    colour: dict[tuple[str, ...], int] = {}  # 1: on the current path, 2: done
    for start in graph:
        if start in colour:
            continue
        for cycle in _cycles_from(start, graph, colour):
            key = frozenset(cycle)
            if key not in reported and len(found) < limit:
                reported.add(key)
                where, names = _describe_cycle(cycle, graph)
                found.append((typed_path(document, where), names))
    return found


def typed_path(document: Any, tokens: tuple[str, ...]) -> PathKey:
    """Pointer tokens as a JSON path: list indices as ``int`` (as ``Positions`` keys them)."""
    node: Any = document
    path: list[str | int] = []
    for token in tokens:
        if isinstance(node, list) and token.isdigit():
            index = int(token)
            path.append(index)
            node = node[index] if index < len(node) else None
        else:
            path.append(token)
            node = node.get(token) if isinstance(node, Mapping) else None
    return tuple(path)


_Edges = dict[tuple[str, ...], list[tuple[tuple[str, ...], bool]]]  # node → (next, via $ref)


def _in_place_graph(document: Any) -> _Edges:
    """Edges between nodes (keyed by their pointer tokens) that apply in place."""
    graph: _Edges = {}
    stack: list[tuple[tuple[str, ...], Any]] = [((), document)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, list):
            stack.extend(((*path, str(i)), item) for i, item in enumerate(node))
            continue
        if not isinstance(node, Mapping):
            continue
        edges: list[tuple[tuple[str, ...], bool]] = []
        ref = local_ref(node)
        if ref is not None:
            edges.append((split_pointer(ref), True))
        if "$ref" not in node or len(node) > 1:  # 3.1 applies a $ref's siblings too
            edges += [
                ((*path, *map(str, rel)), False)
                for rel, _, in_place in subschemas(node)
                if in_place
            ]
        if edges:
            graph[path] = edges
        stack.extend(
            ((*path, str(key)), value) for key, value in node.items() if key not in _LITERALS
        )
    return graph


def _cycles_from(
    start: tuple[str, ...], graph: _Edges, colour: dict[tuple[str, ...], int]
) -> Iterator[list[tuple[str, ...]]]:
    """Iterative depth-first search: each back edge closes a cycle (the nodes on it)."""
    path: list[tuple[str, ...]] = [start]
    iterators = [iter(graph.get(start, ()))]
    colour[start] = 1
    while iterators:
        step = next(iterators[-1], None)
        if step is None:
            colour[path.pop()] = 2
            iterators.pop()
            continue
        target = step[0]
        state = colour.get(target)
        if state == 1:
            yield path[path.index(target) :]
        elif state is None:
            colour[target] = 1
            path.append(target)
            iterators.append(iter(graph.get(target, ())))


def _describe_cycle(
    cycle: list[tuple[str, ...]], graph: _Edges
) -> tuple[tuple[str, ...], list[str]]:
    refs = [node for node in cycle if any(via for _, via in graph.get(node, ()))]
    first = min(refs or cycle)
    start = cycle.index(first)
    ordered = [*cycle[start:], *cycle[:start], first]
    names = ["#/" + "/".join(escape_token(t) for t in node) for node in ordered]
    return (*first, "$ref"), names


def inline_schema(
    schema: Any, root: Any, *, openapi_30: bool = False, budget: int = MAX_INLINED
) -> dict[str, Any]:
    """A self-contained copy of ``schema``: local ``$ref``s replaced by what they name.

    A recursive reference (one met again below itself), or any once ``budget`` nodes have been
    written, stays a ``$ref`` into ``$defs``, which holds each such target once: the result is
    finite and linear in the document, and validators and generators follow it lazily.
    OpenAPI 3.0 ``nullable: true`` becomes ``type: [T, "null"]``.
    """
    inliner = _Inliner(root, openapi_30=openapi_30, budget=budget)
    result = inliner.copy(schema, ())
    if not isinstance(result, dict):
        return {}
    if inliner.defs:
        result = {**result, "$defs": {**(result.get("$defs") or {}), **inliner.defs}}
    return result


_DROPPED = frozenset({"$schema", "$id", "$defs", "definitions", "examples", "example"})


class _Inliner:
    def __init__(self, root: Any, *, openapi_30: bool, budget: int) -> None:
        self.root = root
        self.openapi_30 = openapi_30
        self.budget = budget
        self.defs: dict[str, Any] = {}
        self._names: dict[str, str] = {}

    def copy(self, node: Any, active: tuple[str, ...], depth: int = 0) -> Any:
        """Copy ``node``; ``active`` holds the references being inlined above it."""
        self.budget -= 1
        if isinstance(node, list):
            return [self.copy(item, active, depth + 1) for item in node]
        if not isinstance(node, Mapping):
            return node
        ref = local_ref(node)
        if ref is not None:
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            if ref in active or self.budget <= 0 or depth >= MAX_INLINE_DEPTH:
                target: dict[str, Any] = {"$ref": self._defined(ref)}
            else:
                try:
                    found = self.copy(follow_pointer(self.root, ref), (*active, ref), depth + 1)
                except RefError:
                    found = {}  # validation names the dangling $ref; judge it as open
                target = found if isinstance(found, dict) else {}
            if not siblings:
                return target
            return {**target, **self.copy(siblings, active, depth)}
        result = {
            key: self.copy(value, active, depth + 1)
            for key, value in node.items()
            if key not in _DROPPED
        }
        return self._nullable(result)

    def _defined(self, ref: str) -> str:
        """The ``#/$defs/...`` reference for ``ref``, its definition written once."""
        name = self._names.get(ref)
        if name is None:
            name = self._name_for(ref)
            self._names[ref] = name
            self.defs[name] = {}  # placeholder: a recursive definition finds its own name
            try:
                target = follow_pointer(self.root, ref)
            except RefError:
                target = {}
            saved, self.budget = self.budget, 0  # definitions keep every $ref: linear size
            self.defs[name] = self.copy(target, (ref,))
            self.budget = saved
        return f"#/$defs/{name}"

    def _name_for(self, ref: str) -> str:
        tail = re.sub(r"[^A-Za-z0-9_.-]", "_", "_".join(split_pointer(ref))) or "root"
        name, n = tail, 1
        while name in self.defs:
            n += 1
            name = f"{tail}_{n}"
        return name

    def _nullable(self, result: dict[str, Any]) -> dict[str, Any]:
        if self.openapi_30 and result.pop("nullable", False) is True and "type" in result:
            kinds = result["type"] if isinstance(result["type"], list) else [result["type"]]
            result["type"] = [*kinds, "null"]
        return result
