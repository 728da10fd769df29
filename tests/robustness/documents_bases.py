"""The contracts the document mutations start from: acme-crm and four tiny ones.

``tiny`` is a small REST contract whose OpenAPI has recursive schemas (a legal tree) and a
mapping, errors, health and PII, so every family that walks schemas has something to walk;
``swagger`` is the same API as a Swagger 2.0 JSON document; ``multi`` splits it over three
files with relative ``$ref``s. Each base lints clean and checks green on its own.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ACME = ROOT / "contracts" / "acme-crm"

TINY_CONTRACT = """harness: 1
info: {id: tiny, name: Tiny, version: "1.0", owner: qa}
type: rest
environments:
  local: {}
auth: {type: none}
api:
  openapi: OPENAPI
mappings:
  node:
    ours: schemas/node.schema.json
    theirs: OPENAPI#/SCHEMAS/Node
    operation: createNode
    fields:
      - {ours: id, theirs: id}
      - {ours: title, theirs: name}
errors:
  - {code: E400, status: 400, trigger: {operation: createNode, body: {name: 5}}}
  - {code: E404, status: 404, trigger: {operation: getNode, path: {id: nope}}}
health: {operation: listNodes}
security:
  pii: [node.title]
changelog:
  - {version: "1.0", date: 2026-01-01, changes: [first]}
"""

OURS = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["id", "title"],
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string", "minLength": 1, "maxLength": 50},
    },
}


def _ref(name: str, prefix: str = "#/components/schemas/") -> dict[str, str]:
    return {"$ref": prefix + name}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _schemas(prefix: str) -> dict[str, Any]:
    return {
        "NodeInput": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 50},
                "children": {"type": "array", "maxItems": 3, "items": _ref("NodeInput", prefix)},
            },
        },
        "Node": {
            "type": "object",
            "required": ["id", "name"],
            "properties": {
                "id": {"type": "string", "readOnly": True},
                "name": {"type": "string", "minLength": 1, "maxLength": 50},
                "parent": _ref("Node", prefix),
                "tags": _ref("Tags", prefix),
            },
        },
        "Tags": {
            "allOf": [
                {"type": "array", "items": {"type": "string", "maxLength": 10}},
                {"maxItems": 5},
            ]
        },
        "Error": {
            "type": "object",
            "required": ["code"],
            "properties": {"code": {"type": "string"}},
        },
    }


def _paths(prefix: str) -> dict[str, Any]:
    node, error = _ref("Node", prefix), _ref("Error", prefix)
    return {
        "/nodes": {
            "get": {
                "operationId": "listNodes",
                "responses": {
                    "200": {
                        "description": "all",
                        "content": _json({"type": "array", "items": node}),
                    }
                },
            },
            "post": {
                "operationId": "createNode",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": _ref("NodeInput", prefix),
                            "example": {"name": "root"},
                        }
                    },
                },
                "responses": {
                    "201": {"description": "created", "content": _json(node)},
                    "400": {"description": "invalid", "content": _json(error)},
                },
            },
        },
        "/nodes/{id}": {
            "get": {
                "operationId": "getNode",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {
                    "200": {"description": "one", "content": _json(node)},
                    "404": {"description": "missing", "content": _json(error)},
                },
            }
        },
    }


def tiny_openapi() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Tiny", "version": "1.0.0"},
        "paths": _paths("#/components/schemas/"),
        "components": {"schemas": _schemas("#/components/schemas/")},
    }


def tiny_swagger() -> dict[str, Any]:
    definitions = _schemas("#/definitions/")
    definitions["Node"]["properties"]["parent"]["x-nullable"] = True
    definitions["Tags"] = {"type": "array", "maxItems": 5, "items": {"type": "string"}}
    paths = _paths("#/definitions/")
    post = paths["/nodes"]["post"]
    schema = post.pop("requestBody")["content"]["application/json"]["schema"]
    post["parameters"] = [{"name": "body", "in": "body", "required": True, "schema": schema}]
    for item in paths.values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    parameter.update(parameter.pop("schema"))
            for response in operation["responses"].values():
                content = response.pop("content", None)
                if content:
                    response["schema"] = content["application/json"]["schema"]
    return {
        "swagger": "2.0",
        "info": {"title": "Tiny", "version": "1.0.0"},
        "consumes": ["application/json"],
        "produces": ["application/json"],
        "paths": paths,
        "definitions": definitions,
    }


def _write(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")


def _tiny_contract(folder: Path, openapi: str, schemas: str) -> None:
    text = TINY_CONTRACT.replace("OPENAPI", openapi).replace("SCHEMAS", schemas)
    (folder / "integration.yaml").write_text(text, encoding="utf-8")
    _write(folder / "schemas" / "node.schema.json", OURS)


def make_base(name: str, folder: Path) -> None:
    """Write base ``name`` into the empty ``folder``."""
    if name == "acme":
        shutil.copytree(ACME, folder, dirs_exist_ok=True)
    elif name == "tiny":
        _tiny_contract(folder, "openapi.yaml", "components/schemas")
        import yaml

        text = yaml.safe_dump(tiny_openapi(), sort_keys=False, allow_unicode=True)
        (folder / "openapi.yaml").write_text(text, encoding="utf-8")
    elif name == "swagger":
        _tiny_contract(folder, "swagger.json", "definitions")
        _write(folder / "swagger.json", tiny_swagger())
    elif name == "multi":
        _make_multi(folder)
    else:
        raise ValueError(name)


def _make_multi(folder: Path) -> None:
    """``openapi.json`` → ``paths/nodes.json`` and ``schemas/api.json`` (three files)."""
    _tiny_contract(folder, "openapi.json", "components/schemas")
    document = tiny_openapi()
    schemas = _schemas("#/")
    _write(folder / "schemas" / "api.json", schemas)
    paths = _paths("../schemas/api.json#/")
    _write(folder / "paths" / "nodes.json", paths)
    document["paths"] = {route: {"$ref": f"paths/nodes.json#/{route.replace('/', '~1')}"}
                         for route in paths}  # fmt: skip
    document["components"] = {
        "schemas": {name: {"$ref": f"schemas/api.json#/{name}"} for name in schemas}
    }
    _write(folder / "openapi.json", document)


BASES = ("tiny", "acme", "swagger", "multi")
