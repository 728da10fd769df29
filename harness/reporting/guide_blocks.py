"""The building blocks of the living guide: blocks (heading, paragraph, list, table), the
last run's measured figures, and the drift flag."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.results import CheckResult, read_results

DRIFT = "⚠️ drift"


@dataclass(frozen=True, slots=True)
class Block:
    kind: str  # h2 | h3 | p | ul | table
    items: tuple[Any, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Measured:
    """The last run of the integration, as stored in its report folder."""

    health: Mapping[str, Any]
    results: tuple[CheckResult, ...]

    @classmethod
    def load(cls, folder: Path) -> Measured | None:
        health_file, results_file = folder / "health.json", folder / "results.json"
        if not health_file.is_file() or not results_file.is_file():
            return None
        health = json.loads(health_file.read_text(encoding="utf-8"))
        return cls(health=health, results=tuple(read_results(results_file)))


def h2(text: str) -> Block:
    return Block("h2", (text,))


def h3(text: str) -> Block:
    return Block("h3", (text,))


def para(text: str) -> Block:
    return Block("p", (text,))


def bullets(items: Sequence[Any]) -> Block:
    return Block("ul", tuple(str(item) for item in items))


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> Block:
    return Block(
        "table",
        (tuple(headers), tuple(tuple("—" if c is None else str(c) for c in r) for r in rows)),
    )


def drift(declared: float | None, measured: float | None, *, lower_is_better: bool = True) -> str:
    if declared is None or measured is None:
        return "—"
    ok = measured <= declared if lower_is_better else measured >= declared
    return "ok" if ok else DRIFT
