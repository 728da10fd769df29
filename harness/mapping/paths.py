"""Field paths into nested payloads: ``address.city``, ``items[].sku``, ``lines[0].amount``.

Grammar: segments separated by ``.``; a segment is a key followed by any number of ``[]``
(every element: the value is a list, element-wise) or ``[N]`` (one element). Only the first
segment may omit the key (``[].sku`` on a top-level list). Keys cannot contain ``.``, ``[``
or ``]``.

A path with ``[]`` reads and writes lists of values: ``get_path(order, "items[].sku")`` is
``["A-1", "B-2"]``, and ``set_path(order, "items[].sku", ["A-1", "B-2"])`` writes one per item.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Final

from harness.errors import HarnessError
from harness.mapping.errors import TransformSpecError, show, show_got


class _Each(Enum):
    EACH = "[]"


class _Missing(Enum):
    MISSING = "MISSING"

    def __repr__(self) -> str:
        return "MISSING"


EACH: Final = _Each.EACH
MISSING: Final = _Missing.MISSING
"""Marks a value absent from a payload (distinct from an explicit null)."""

Step = str | int | _Each
_SEGMENT = re.compile(r"(?P<key>[^.\[\]]*)(?P<brackets>(?:\[[0-9]*\])*)")
_BRACKET = re.compile(r"\[([0-9]*)\]")
_NO_DEFAULT: Final = object()


class PathError(HarnessError, LookupError):
    """A payload does not have the shape a path expects (missing key, not a list, ...)."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.path, self.message))


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldPath:
    """A parsed path: its text and its steps (key, index, or EACH)."""

    text: str
    steps: tuple[Step, ...]

    def __str__(self) -> str:
        return self.text


def parse_path(text: str) -> FieldPath:
    """Parse ``text``; a malformed path raises TransformSpecError (it is a contract error)."""
    if not isinstance(text, str) or not text:
        raise TransformSpecError(f"a field path must be a non-empty string, got {show_got(text)}")
    steps: list[Step] = []
    for position, segment in enumerate(text.split(".")):
        match = _SEGMENT.fullmatch(segment)
        if match is None or (not match["key"] and (position > 0 or not match["brackets"])):
            raise TransformSpecError(
                f"bad path {text!r}: segment {segment!r} is not 'key', 'key[]' or 'key[N]'",
                hint="keys may not be empty or contain '.', '[' or ']'",
            )
        if match["key"]:
            steps.append(match["key"])
        steps.extend(int(index) if index else EACH for index in _BRACKET.findall(match["brackets"]))
    return FieldPath(text=text, steps=tuple(steps))


def _as_path(path: str | FieldPath) -> FieldPath:
    return path if isinstance(path, FieldPath) else parse_path(path)


def _render(steps: tuple[Step, ...]) -> str:
    text = ""
    for step in steps:
        if isinstance(step, str):
            text += f".{step}" if text else step
        else:
            text += "[]" if step is EACH else f"[{step}]"
    return text or "the top level"


def get_path(obj: Any, path: str | FieldPath, *, default: Any = _NO_DEFAULT) -> Any:
    """The value at ``path``; with ``[]``, a list of values (nested lists for nested ``[]``).

    A missing key, a null on the way or an index past the end gives ``default`` if one is
    given (``MISSING`` is a good one), else raises PathError. A value of the wrong shape
    (a string where a mapping is expected) always raises.
    """
    parsed = _as_path(path)
    return _get(obj, parsed, 0, (), default)


def _get(node: Any, path: FieldPath, depth: int, trail: tuple[Step, ...], default: Any) -> Any:
    if depth == len(path.steps):
        return node
    step = path.steps[depth]
    if node is None and default is not _NO_DEFAULT:
        return default
    if step is EACH:
        items = _expect_list(node, path, trail)
        return [
            _get(item, path, depth + 1, (*trail, index), default)
            for index, item in enumerate(items)
        ]
    if isinstance(step, int):
        items = _expect_list(node, path, trail)
        found = step < len(items)
        child = items[step] if found else None
        missing = f"index {step} is past the end of {_render(trail)} ({len(items)} items)"
    else:
        if not isinstance(node, Mapping):
            raise PathError(
                path.text, f"expected a mapping at {_render(trail)}, got {_shape(node)}"
            )
        found = step in node
        child = node.get(step)
        keys = ", ".join(repr(key) for key in list(node)[:10]) or "none"
        missing = f"no key {step!r} at {_render(trail)} (keys: {keys})"
    if not found:
        if default is _NO_DEFAULT:
            raise PathError(path.text, missing)
        return default
    return _get(child, path, depth + 1, (*trail, step), default)


def _expect_list(
    node: Any, path: FieldPath, trail: tuple[Step, ...]
) -> list[Any] | tuple[Any, ...]:
    if not isinstance(node, list | tuple):
        raise PathError(path.text, f"expected a list at {_render(trail)}, got {_shape(node)}")
    return node


def _shape(node: Any) -> str:
    return show_got(node) if not isinstance(node, Mapping | list | tuple) else type(node).__name__


def set_path(obj: MutableMapping[str, Any] | list[Any], path: str | FieldPath, value: Any) -> None:
    """Write ``value`` at ``path`` in place, creating the dicts and lists on the way.

    With ``[]``, ``value`` is a list with one entry per element; existing elements are written
    into (their number must match), and an empty or absent list is filled. ``[N]`` may address
    an existing element or append one (N == length).
    """
    _set(obj, _as_path(path), 0, (), value)


def _set(node: Any, path: FieldPath, depth: int, trail: tuple[Step, ...], value: Any) -> None:
    step, last = path.steps[depth], depth == len(path.steps) - 1
    if isinstance(step, str):
        if not isinstance(node, MutableMapping):
            raise PathError(
                path.text, f"expected a mapping at {_render(trail)}, got {_shape(node)}"
            )
        if last:
            node[step] = value
            return
        if node.get(step) is None:
            node[step] = _container_for(path.steps[depth + 1])
        _set(node[step], path, depth + 1, (*trail, step), value)
    elif step is EACH:
        _set_each(node, path, depth, trail, value)
    else:
        items = _expect_list(node, path, trail)
        if not isinstance(items, list) or step > len(items):
            raise PathError(
                path.text, f"cannot write index {step} of {_render(trail)} ({len(items)} items)"
            )
        if step == len(items):
            items.append(None)
        if last:
            items[step] = value
            return
        if items[step] is None:
            items[step] = _container_for(path.steps[depth + 1])
        _set(items[step], path, depth + 1, (*trail, step), value)


def _set_each(node: Any, path: FieldPath, depth: int, trail: tuple[Step, ...], value: Any) -> None:
    items = _expect_list(node, path, trail)
    where = _render((*trail, EACH))
    if not isinstance(items, list):
        raise PathError(path.text, f"cannot write into the tuple at {_render(trail)}")
    if not isinstance(value, list | tuple):
        raise PathError(path.text, f"expected a list of values for {where}, got {show(value)}")
    if depth == len(path.steps) - 1:
        items[:] = value
        return
    if not items:
        items.extend(_container_for(path.steps[depth + 1]) for _ in value)
    if len(items) != len(value):
        raise PathError(
            path.text, f"{len(value)} values for the {len(items)} elements of {_render(trail)}"
        )
    for index, (item, item_value) in enumerate(zip(items, value, strict=True)):
        _set(item, path, depth + 1, (*trail, index), item_value)


def _container_for(step: Step) -> dict[str, Any] | list[Any]:
    return {} if isinstance(step, str) else []
