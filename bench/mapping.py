"""Mapping checks of one 50-field entity over 200 generated examples; prints JSON.

python bench/mapping.py
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Any

from harness.checks.mapping import entities as mapping
from harness.contract import load_contract
from harness.settings import RunSettings

FIELDS = 50
EXAMPLES = 200
KINDS = [
    ({"type": "string", "maxLength": 40}, {"type": "string", "maxLength": 40}, "direct"),
    ({"type": "string", "format": "date-time"}, {"type": "string"}, "iso8601"),
    ({"type": "integer"}, {"type": "string"}, "money"),
    ({"type": "string", "format": "date"}, {"type": "string"}, "date"),
    ({"enum": ["a", "b", "c"]}, {"enum": ["A", "B", "C"]}, "enum"),
]


def _write(directory: Path) -> None:
    ours: dict[str, Any] = {}
    theirs: dict[str, Any] = {}
    lines = []
    for index in range(FIELDS):
        our_schema, their_schema, transform = KINDS[index % len(KINDS)]
        ours[f"f{index}"], theirs[f"t{index}"] = our_schema, their_schema
        extra = {"money": ", currency: USD", "enum": ", values: {a: A, b: B, c: C}"}.get(
            transform, ""
        )
        lines.append(f"      - {{ours: f{index}, theirs: t{index}, transform: {transform}{extra}}}")
    for name, props in (("ours", ours), ("theirs", theirs)):
        schema = {
            "type": "object",
            "additionalProperties": False,
            "required": list(props),
            "properties": props,
        }
        (directory / f"{name}.json").write_text(json.dumps(schema))
    (directory / "integration.yaml").write_text(
        "harness: 1\ninfo: {id: bench, name: Bench, version: '1'}\ntype: [rest]\n"
        "environments:\n  local: {}\nmappings:\n  wide:\n    ours: ours.json\n"
        "    theirs: theirs.json\n    fields:\n" + "\n".join(lines) + "\n"
    )


class _Context:
    def __init__(self, contract: Any) -> None:
        self.contract, self.seed, self.check_id = contract, 1, "bench"
        self.settings = RunSettings(examples=EXAMPLES, seed=1)
        self._shared: dict[str, Any] = {}

    def client(self, **options: Any) -> Any:
        return type("NoRecords", (), {"status_code": 404, "call": lambda *a, **k: a[0]})()

    def shared(self, key: str, factory: Any) -> Any:
        return self._shared.setdefault(key, factory())


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        _write(Path(folder))
        contract = load_contract(folder)
        context = _Context(contract)
        timings: dict[str, float] = {}
        start = time.perf_counter()
        for check in mapping.plan(contract):
            began = time.perf_counter()
            verdict = check.run(context)  # type: ignore[arg-type]
            timings[check.name] = round(time.perf_counter() - began, 3)
            assert verdict is not None
        total = time.perf_counter() - start
    print(
        json.dumps(
            {
                "fields": FIELDS,
                "examples": EXAMPLES,
                "seconds": round(total, 2),
                "per_check": timings,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
