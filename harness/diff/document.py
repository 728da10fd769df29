"""One side of a diff: an OpenAPI document's data, its ``$ref``s and where its nodes are."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.contract.source import PathKey, Positions, format_path, parse_yaml
from harness.errors import ContractError, Location

MAX_REF_CHAIN = 32
#: above this size a document's lines are not mapped (a 5 MB JSON takes ~15 s to map):
#: locations then name the file and the JSON path
MAX_LINE_MAP_BYTES = 1_500_000


@dataclass(slots=True)
class Document:
    """The raw data of a vendor document plus a lazy map of its lines.

    ``display`` is how locations name the file; ``lines=False`` skips the position parse
    (a large document diffed only for its verdicts).
    """

    raw: Mapping[str, Any]
    path: Path | None
    display: str
    lines: bool = True
    _positions: Positions | None = field(default=None, repr=False)

    def locate(self, where: PathKey) -> Location:
        positions = self._load_positions()
        if positions is None:
            return Location(self.display, path=format_path(where))
        return positions.locate(where)

    def _load_positions(self) -> Positions | None:
        if not self.lines or self.path is None:
            return None
        if self._positions is None:
            try:
                if self.path.stat().st_size > MAX_LINE_MAP_BYTES:
                    self.lines = False
                    return None
                text = self.path.read_text(encoding="utf-8")
                self._positions = parse_yaml(text, self.display, strict=False).positions
            except (ContractError, OSError, UnicodeDecodeError):
                self.lines = False
                return None
        return self._positions

    def resolve(self, node: Any, where: PathKey) -> tuple[Any, PathKey]:
        """``node`` with its local ``$ref`` chain followed, and the path it ends at.

        An external, dangling or looping ``$ref`` is returned as is: a diff reports what it
        can see rather than failing on a document the vendor wrote.
        """
        seen: set[str] = set()
        while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if not ref.startswith("#") or ref in seen or len(seen) >= MAX_REF_CHAIN:
                return node, where
            seen.add(ref)
            target = self.pointer(ref[1:])
            if target is None:
                return node, where
            node, where = target
        return node, where

    def pointer(self, pointer: str) -> tuple[Any, PathKey] | None:
        """The node at a JSON pointer (``/components/schemas/X``) and its path, or None."""
        node: Any = self.raw
        where: list[str | int] = []
        for token in pointer.lstrip("/").split("/") if pointer.strip("/") else []:
            key = token.replace("~1", "/").replace("~0", "~")
            if isinstance(node, list) and key.isdigit() and int(key) < len(node):
                node = node[int(key)]
                where.append(int(key))
            elif isinstance(node, Mapping) and key in node:
                node = node[key]
                where.append(key)
            else:
                return None
        return node, tuple(where)
