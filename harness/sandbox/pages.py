"""Pagination as declared: which slice a list request asks for, and the page around it.

The contract's ``api.pagination`` names the style and parameters; without it the usual
names are recognised (``page``/``per_page``/``page_size``/``limit``/``offset``/``cursor``).
Page metadata (``page``, ``per_page``, ``total``, ``next_page``, ``has_more``, ``next``
cursors, ...) is filled by name and kept only where it fits its schema.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from harness.contract.model import Pagination
from harness.sandbox.dialect import Side
from harness.sandbox.generation import Generator
from harness.sandbox.resources import object_properties, required_properties
from harness.sandbox.spec import OperationSpec, Spec

_PAGE = ("page", "page_number", "pageNumber", "pageNo")
_SIZE = ("per_page", "perPage", "page_size", "pageSize", "limit", "size", "count", "max_results")
_OFFSET = ("offset", "skip", "start")
_CURSOR = ("cursor", "after", "page_token", "pageToken", "starting_after", "next")
_DEFAULT_SIZE = 20


@dataclass(frozen=True, slots=True, kw_only=True)
class Slice:
    """What a list request asked for: items ``start .. start + size`` of ``total``."""

    start: int
    size: int
    total: int

    @property
    def page(self) -> int:
        return self.start // self.size + 1 if self.size else 1

    @property
    def more(self) -> bool:
        return self.start + self.size < self.total


def requested_slice(
    spec: Spec,
    op: OperationSpec,
    query: Mapping[str, Any],
    pagination: Pagination | None,
    total: int,
) -> Slice:
    names = {p.name for p in op.parameters if p.location == "query"}
    size_name = _name(names, pagination.size_param if pagination else None, _SIZE)
    size = _integer(query.get(size_name) if size_name else None, _default_size(spec, op, size_name))
    if pagination is not None and pagination.max_page_size:
        size = min(size, pagination.max_page_size)
    size = max(size, 1)
    page_name = _name(names, pagination.page_param if pagination else None, _PAGE)
    if page_name is not None and page_name in query:
        start = (max(_integer(query[page_name], 1), 1) - 1) * size
    else:
        offset_name = _name(names, None, _OFFSET + _CURSOR)
        start = max(_integer(query.get(offset_name) if offset_name else None, 0), 0)
    return Slice(start=start, size=size, total=total)


def page_body(
    spec: Spec,
    generator: Generator,
    schema: str,
    *,
    items_field: str | None,
    items: list[Any],
    window: Slice,
) -> Any:
    """The list answer: a bare array, or an object with the items and filled metadata."""
    if items_field is None:
        return items
    body: dict[str, Any] = {items_field: items}
    required = required_properties(spec, schema)
    for name, pointer in object_properties(spec, schema):
        if name == items_field:
            continue
        value = _meta(name, window)
        if value is not _UNKNOWN and spec.is_valid(value, pointer, Side.RESPONSE):
            body[name] = value
        elif name in required:
            body[name] = generator.instance(pointer, key=f"page:{name}")
    return body


_UNKNOWN = object()


def _meta(name: str, window: Slice) -> Any:
    key = "".join(ch for ch in name.lower() if ch.isalnum())
    more = window.more
    table: dict[str, Callable[[], Any]] = {
        "page": lambda: window.page,
        "pagenumber": lambda: window.page,
        "currentpage": lambda: window.page,
        "perpage": lambda: window.size,
        "pagesize": lambda: window.size,
        "size": lambda: window.size,
        "limit": lambda: window.size,
        "total": lambda: window.total,
        "totalcount": lambda: window.total,
        "count": lambda: window.total,
        "totalitems": lambda: window.total,
        "totalresults": lambda: window.total,
        "totalelements": lambda: window.total,
        "totalpages": lambda: math.ceil(window.total / window.size) if window.size else 0,
        "pagecount": lambda: math.ceil(window.total / window.size) if window.size else 0,
        "nextpage": lambda: window.page + 1 if more else None,
        "prevpage": lambda: window.page - 1 if window.page > 1 else None,
        "previouspage": lambda: window.page - 1 if window.page > 1 else None,
        "hasmore": lambda: more,
        "hasnext": lambda: more,
        "hasnextpage": lambda: more,
        "offset": lambda: window.start,
        "start": lambda: window.start,
        "next": lambda: str(window.start + window.size) if more else None,
        "nextcursor": lambda: str(window.start + window.size) if more else None,
        "cursor": lambda: str(window.start + window.size) if more else None,
        "nextpagetoken": lambda: str(window.start + window.size) if more else None,
    }
    maker = table.get(key)
    return _UNKNOWN if maker is None else maker()


def _name(names: set[str], declared: str | None, guesses: tuple[str, ...]) -> str | None:
    if declared and declared in names:
        return declared
    return next((guess for guess in guesses if guess in names), None)


def _default_size(spec: Spec, op: OperationSpec, name: str | None) -> int:
    for param in op.parameters:
        if param.name == name and param.schema is not None:
            node = spec.deref(param.schema)[1]
            default = node.get("default") if isinstance(node, dict) else None
            if isinstance(default, int) and not isinstance(default, bool) and default > 0:
                return default
    return _DEFAULT_SIZE


def _integer(value: Any, default: int) -> int:
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return default
