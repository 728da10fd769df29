"""The sandbox over a tiny document whose schemas recurse (directly, through another schema,
through ``allOf`` and properties, ``oneOf`` and ``items``): every operation answers, bounded
and conforming, and ``harness check --family conformance`` is green against it (no hang, no
traceback)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from harness import load_contract
from harness.sandbox import Sandbox, running_sandbox
from harness.sandbox.dialect import Side

TREE = {"$ref": "#/components/schemas/Tree"}
TWIN = {"$ref": "#/components/schemas/Twin"}
TWIG = {"id": 5, "label": "twig", "children": [{"id": 6, "label": "bud"}]}


def _answer(description: str, schema: Any = None) -> dict[str, Any]:
    if schema is None:
        return {"description": description}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


TREE_ID = {"name": "treeId", "in": "path", "required": True, "schema": {"type": "integer"}}
DOCUMENT: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Trees", "version": "1.0.0"},
    "paths": {
        "/trees": {
            "get": {
                "operationId": "listTrees",
                "responses": {"200": _answer("ok", {"type": "array", "items": TREE})},
            },
            "post": {
                "operationId": "createTree",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": TREE}},
                },
                "responses": {"201": _answer("created", TREE)},
            },
        },
        "/trees/{treeId}": {
            "get": {
                "operationId": "getTree",
                "parameters": [TREE_ID],
                "responses": {"200": _answer("ok", TREE), "404": _answer("missing")},
            },
        },
        "/forests": {
            "get": {
                "operationId": "getForest",
                "responses": {"200": _answer("ok", {"$ref": "#/components/schemas/Forest"})},
            }
        },
    },
    "components": {
        "schemas": {
            "Tree": {
                "type": "object",
                "required": ["id", "label"],
                "properties": {
                    "id": {"type": "integer", "readOnly": True},
                    "label": {"type": "string", "maxLength": 20},
                    "children": {"type": "array", "items": TREE},
                    "parent": {"oneOf": [TREE, {"type": "string"}], "nullable": True},
                    "twin": {"$ref": "#/components/schemas/Twin"},
                },
            },
            "Twin": {  # recursion through allOf and properties: Twin → Base → Twin
                "allOf": [{"$ref": "#/components/schemas/Base"}, {"properties": {"of": TREE}}]
            },
            "Base": {
                "type": "object",
                "properties": {"next": {"$ref": "#/components/schemas/Twin"}},
            },
            "Forest": {"type": "array", "items": {"$ref": "#/components/schemas/Forest"}},
        }
    },
}


@pytest.fixture(scope="module")
def contract_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("trees")
    (folder / "openapi.json").write_text(json.dumps(DOCUMENT), encoding="utf-8")
    (folder / "integration.yaml").write_text(
        "harness: 1\n"
        'info: {id: trees, name: Trees, version: "1.0.0"}\n'
        "type: [rest]\n"
        "environments: {local: {}}\n"
        "api: {openapi: openapi.json}\n",
        encoding="utf-8",
    )
    return folder


@pytest.fixture(scope="module")
def sandbox(contract_dir: Path) -> Iterator[Sandbox]:
    with running_sandbox(load_contract(contract_dir), seed=2) as running:
        yield running


def test_every_operation_answers_a_conforming_bounded_body(sandbox: Sandbox) -> None:
    spec = sandbox.app.spec
    with httpx.Client(base_url=sandbox.base_url, timeout=10) as http:
        created = http.post("/trees", json={"label": "oak", "children": [TWIG]})
        read = http.get(f"/trees/{created.json()['id']}")
        listed = http.get("/trees")
        forest = http.get("/forests")

    assert created.status_code == 201, created.text
    assert created.json()["children"] == [TWIG]  # a valid child is kept as sent
    assert read.json() == created.json()
    for response, op_id, status in (
        (created, "createTree", 201),
        (read, "getTree", 200),
        (listed, "listTrees", 200),
        (forest, "getForest", 200),
    ):
        schema = sandbox.app.spec.operations[op_id].response_for(status)
        assert schema is not None
        media = schema.preferred_media()
        assert media is not None
        assert media.schema is not None
        assert spec.is_valid(response.json(), media.schema, Side.RESPONSE), response.text
        assert len(response.content) < 100_000


def test_an_invalid_body_is_refused_even_where_no_4xx_is_documented(sandbox: Sandbox) -> None:
    sandbox.controls.reset()
    with httpx.Client(base_url=sandbox.base_url, timeout=10) as http:
        refused = http.post("/trees", json={"label": 7})

    assert refused.status_code == 400
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["detail"].startswith("body: ")
    note = refused.headers["harness-sandbox-note"]
    assert note.startswith("undocumented 400: the document declares no status for this refusal")
    assert sandbox.controls.requests[-1].note == note


def test_conformance_is_green_on_a_recursive_document(contract_dir: Path, tmp_path: Path) -> None:
    command = [sys.executable, "-m", "harness.cli", "check", str(contract_dir)]
    command += ["--family", "conformance", "--examples", "5", "--seed", "3"]
    command += ["--report-dir", str(tmp_path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=240, check=False)

    output = done.stdout + done.stderr
    assert "Traceback" not in output
    results = json.loads((tmp_path / "trees" / "results.json").read_text(encoding="utf-8"))
    bad = [c for c in results["checks"] if c["outcome"] in ("failed", "error")]
    assert not bad, "\n\n".join(f"{c['name']}: {c['message']}" for c in bad)
    assert results["counts"]["passed"] >= 4
