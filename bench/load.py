"""Benchmark: load and lint a contract whose OpenAPI document has N operations.

Prints JSON: harness's load time (parse + validate + index + cross-check), Schemathesis's
``openapi.from_path`` time on the same document (plus touching every operation, which is
what makes it parse them), and the ratio. Run: ``python bench/load.py [--operations 2000]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml


def generate_document(operations: int) -> dict[str, Any]:
    """An OpenAPI 3.1 document with ``operations`` operations over shared schemas."""
    paths: dict[str, Any] = {}
    for index in range(operations // 2):
        item_schema = {"$ref": "#/components/schemas/Item"}
        paths[f"/resources{index}/{{id}}"] = {
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "get": {
                "operationId": f"get{index}",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": item_schema}},
                    },
                    "404": {"$ref": "#/components/responses/NotFound"},
                },
            },
            "put": {
                "operationId": f"put{index}",
                "requestBody": {"content": {"application/json": {"schema": item_schema}}},
                "responses": {"200": {"description": "ok"}},
            },
        }  # fmt: skip
    return {
        "openapi": "3.1.0",
        "info": {"title": "Generated", "version": "1.0.0"},
        "paths": paths,
        "components": {
            "schemas": {
                "Item": {
                    "type": "object",
                    "required": ["id", "name"],
                    "properties": {
                        "id": {"type": "string"},
                        "name": {"type": "string", "maxLength": 100},
                        "tags": {"type": "array", "items": {"type": "string"}},
                    },
                }
            },
            "responses": {"NotFound": {"description": "not found"}},
        },
    }


CONTRACT = """\
harness: 1
info: {id: generated, name: Generated, version: "1.0.0"}
type: [rest]
environments: {local: {}}
api: {openapi: openapi.yaml}
health: {operation: get0}
errors:
  - {code: NOT_FOUND, status: 404, trigger: {operation: get1, path: {id: missing}}}
"""


def _time(function: Any, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--operations", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import schemathesis

    from harness import load_contract

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        document = root / "openapi.yaml"
        document.write_text(yaml.safe_dump(generate_document(args.operations), sort_keys=False))
        (root / "integration.yaml").write_text(CONTRACT)

        def load_harness() -> None:
            load_contract(root)

        def load_schemathesis() -> None:
            schema = schemathesis.openapi.from_path(str(document))
            for result in schema.get_all_operations():
                result.ok()

        harness_s = _time(load_harness, args.repeat)
        schemathesis_s = _time(load_schemathesis, args.repeat)
        print(
            json.dumps(
                {
                    "operations": args.operations,
                    "document_bytes": document.stat().st_size,
                    "harness_load_s": round(harness_s, 3),
                    "schemathesis_from_path_s": round(schemathesis_s, 3),
                    "ratio_harness_over_schemathesis": round(harness_s / schemathesis_s, 2),
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
