"""$ref handling: cycles, recursion, multi-file bundling, confinement, Swagger 2.0, duplicates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from harness import ContractError, load_contract
from harness.contract.references import schema_properties
from harness.contract.refs import (
    RefError,
    deref,
    in_place_closure,
    inline_schema,
    ref_cycles,
    walk_schema,
)

CONTRACT = """harness: 1
info: {id: docs, name: Docs, version: "1.0"}
type: rest
environments: {}
api:
  openapi: openapi.yaml
"""


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def openapi(schemas: dict[str, Any], body: str = "Node") -> dict[str, Any]:
    json_body = {"application/json": {"schema": ref(body)}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Docs", "version": "1.0"},
        "paths": {
            "/nodes": {
                "post": {
                    "operationId": "createNode",
                    "requestBody": {"content": json_body},
                    "responses": {"201": {"description": "ok", "content": json_body}},
                }
            }
        },
        "components": {"schemas": schemas},
    }


def write(folder: Path, files: dict[str, Any], contract: str = CONTRACT) -> Path:
    (folder / "integration.yaml").write_text(contract, encoding="utf-8")
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
        path.write_text(text, encoding="utf-8")
    return folder


def problems_of(folder: Path) -> str:
    with pytest.raises(ContractError) as caught:
        load_contract(folder)
    return str(caught.value)


TREE = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "children": {"type": "array", "items": ref("Node")},
        "parent": ref("Node"),
    },
}


# --- the resolver ---------------------------------------------------------------------------


def test_ref_cycles_finds_loops_that_never_descend_and_spares_recursive_types() -> None:
    document = openapi(
        {
            "Node": TREE,
            "A": ref("B"),
            "B": ref("A"),
            "Self": {"allOf": [ref("Self"), {"type": "object"}]},
            "Either": {"anyOf": [{"items": ref("Either")}, ref("Either")]},
        }
    )

    cycles = {path[2] for path, _ in ref_cycles(document)}

    assert cycles == {"A", "Self", "Either"}
    where, names = next(found for found in ref_cycles(document) if found[0][2] == "Self")
    assert where == ("components", "schemas", "Self", "allOf", 0, "$ref")
    assert names[0] == names[-1]


def test_deref_stops_on_a_cycle_and_names_it() -> None:
    document = openapi({"A": ref("B"), "B": ref("A")})

    with pytest.raises(RefError, match=r"cycle of \$refs: #/components/schemas/A → .*B → .*A"):
        deref(document, ref("A"))
    with pytest.raises(RefError, match="points at nothing"):
        deref(document, ref("Missing"))


def test_walks_visit_each_schema_of_a_recursive_type_once() -> None:
    document = openapi({"Node": TREE})

    visited = list(walk_schema(document, ref("Node")))
    in_place = in_place_closure(document, {"allOf": [ref("Node"), ref("Node")]})

    assert len(visited) == len({id(node) for node in visited}) == 6
    assert len(in_place) == 4  # the allOf, its two $ref nodes, and Node once


def test_schema_properties_of_a_self_referencing_allof_is_finite() -> None:
    document = openapi({"Self": {"allOf": [ref("Self"), {"properties": {"x": {}}}]}})

    assert schema_properties(document["components"]["schemas"]["Self"], document) is None


def test_inline_keeps_recursion_in_defs_and_still_validates() -> None:
    document = openapi({"Node": TREE})

    schema = inline_schema(ref("Node"), document)
    validator = jsonschema.Draft202012Validator(schema)

    assert "$defs" in schema
    assert validator.is_valid({"name": "a", "children": [{"name": "b", "children": []}]})
    assert not validator.is_valid({"name": "a", "children": [{"name": 5}]})
    assert not validator.is_valid({"parent": {"parent": {"children": [{"name": []}]}}})


def test_inline_of_a_doubling_chain_stays_small() -> None:
    # S0 → (S1, S1) → (S2, S2, S2, S2) → ...: 2**40 nodes if every $ref were inlined.
    schemas = {
        f"S{i}": {"type": "object", "properties": {"l": ref(f"S{i + 1}"), "r": ref(f"S{i + 1}")}}
        for i in range(40)
    }
    schemas["S40"] = {"type": "string"}
    document = openapi(schemas)

    schema = inline_schema(ref("S0"), document)

    assert len(json.dumps(schema)) < 5_000_000
    instance: Any = "leaf"
    for _ in range(40):
        instance = {"l": instance}
    assert jsonschema.Draft202012Validator(schema).is_valid(instance)
    assert not jsonschema.Draft202012Validator(schema).is_valid({"l": {"r": {"l": 5}}})


# --- the loader -----------------------------------------------------------------------------


def test_a_recursive_schema_loads(tmp_path: Path) -> None:
    contract = load_contract(write(tmp_path, {"openapi.yaml": openapi({"Node": TREE})}))

    assert contract.document is not None
    assert "createNode" in contract.document.operations


@pytest.mark.parametrize(
    ("schemas", "line_of"),
    [
        ({"Node": ref("Other"), "Other": ref("Node")}, "Node"),
        ({"Node": {"allOf": [ref("Node"), {"type": "object"}]}}, "Node"),
    ],
    ids=["indirect", "self-allof"],
)
def test_a_ref_cycle_is_a_lint_error_at_its_line(
    tmp_path: Path, schemas: dict[str, Any], line_of: str
) -> None:
    text = problems_of(write(tmp_path, {"openapi.yaml": openapi(schemas)}))

    assert "$ref cycle that never reaches a schema" in text
    assert "openapi.yaml:" in text
    assert "recursive type goes through 'properties' or 'items'" in text


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("https://example.com/schemas.json#/Node", "remote $ref 'https://example.com/schemas"),
        ("http://169.254.169.254/latest", "remote $ref 'http://169.254.169.254/latest'"),
        ("file:///etc/passwd", "$ref 'file:///etc/passwd' is not supported"),
        ("../../../../../../etc/passwd", "leads outside the contract folder"),
        ("schemas/missing.yaml#/Node", "names a file that does not exist"),
    ],
    ids=["https", "metadata-ip", "file-url", "traversal", "missing-file"],
)
def test_external_refs_are_never_followed_implicitly(
    tmp_path: Path, reference: str, message: str
) -> None:
    document = openapi({"Node": {"$ref": reference}})

    text = problems_of(write(tmp_path, {"openapi.yaml": document}))

    assert message in text
    assert "openapi.yaml:" in text
    assert "$.components.schemas.Node.$ref" in text
    assert "root:" not in text  # nothing of /etc/passwd was read


def test_a_multi_file_document_is_bundled(tmp_path: Path) -> None:
    root = openapi({"Node": {"$ref": "schemas/node.yaml#/Node"}})
    root["paths"]["/things"] = {"$ref": "paths/things.yaml"}
    files = {
        "openapi.yaml": root,
        "schemas/node.yaml": {
            "Node": {
                "type": "object",
                "properties": {"tag": {"$ref": "#/Tag"}, "kids": {"items": {"$ref": "#/Node"}}},
            },
            "Tag": {"type": "string", "maxLength": 3},
        },
        "paths/things.yaml": {
            "get": {
                "operationId": "listThings",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {"schema": {"$ref": "../schemas/node.yaml#/Tag"}}
                        },
                    }
                },
            }
        },
    }

    contract = load_contract(write(tmp_path, files))

    document = contract.document
    assert document is not None
    assert set(document.operations) == {"createNode", "listThings"}
    text = json.dumps(document.raw)
    assert '"$ref": "#/x-harness-bundled/schemas_node.yaml/Node"' in text
    assert ".yaml#" not in text  # no reference leaves the document any more
    things = document.operations["listThings"].definition["responses"]["200"]
    assert deref(document.raw, things["content"]["application/json"]["schema"]) == {
        "type": "string",
        "maxLength": 3,
    }
    node = inline_schema(ref("Node"), document.raw)
    assert not jsonschema.Draft202012Validator(node).is_valid({"tag": "toolong"})


def test_remote_refs_need_the_opt_in_also_inside_bundled_files(tmp_path: Path) -> None:
    files = {
        "openapi.yaml": openapi({"Node": {"$ref": "node.yaml"}}),
        "node.yaml": {"$ref": "https://example.com/node.json"},
    }

    text = problems_of(write(tmp_path, files))

    assert (
        "node.yaml:1:7: error: remote $ref 'https://example.com/node.json' is not fetched" in text
    )
    assert "allow_remote_refs: true" in text


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "openapi.yaml",
            "openapi: 3.1.0\ninfo: {title: a, version: b}\npaths: {}\npaths: {}\n",
            "openapi.yaml:4:1: error: duplicate key 'paths' (first defined on line 3)",
        ),
        (
            "openapi.json",
            '{"openapi": "3.1.0", "info": {"title": "a", "title": "b", "version": "1"}, '
            '"paths": {}}',
            "openapi.json:1:45: error: duplicate key 'title'",
        ),
    ],
    ids=["yaml", "json"],
)
def test_duplicate_keys_in_documents_are_errors(
    tmp_path: Path, name: str, text: str, expected: str
) -> None:
    contract = CONTRACT.replace("openapi.yaml", name)

    assert expected in problems_of(write(tmp_path, {name: text}, contract))


def test_yaml_merge_keys_may_override_without_being_duplicates(tmp_path: Path) -> None:
    text = (
        "openapi: 3.1.0\ninfo: {title: a, version: b}\npaths: {}\n"
        "components:\n  schemas:\n    Base: &base {type: object, description: base}\n"
        "    Node: {<<: *base, description: node}\n"
    )

    contract = load_contract(write(tmp_path, {"openapi.yaml": text}))

    assert contract.document is not None
    assert contract.document.raw["components"]["schemas"]["Node"]["description"] == "node"


def test_absurd_nesting_is_an_error_not_a_recursion_error(tmp_path: Path) -> None:
    deep = '{"openapi": "3.1.0", "info": {"title": "a", "version": "b"}, "paths": {}, "x-d": '
    deep += "[" * 5000 + "]" * 5000 + "}"
    contract = CONTRACT.replace("openapi.yaml", "openapi.json")

    assert "nested more than 200 levels deep" in problems_of(
        write(tmp_path, {"openapi.json": deep}, contract)
    )


# --- Swagger 2.0 ----------------------------------------------------------------------------

SWAGGER = {
    "swagger": "2.0",
    "info": {"title": "Pets", "version": "1.0"},
    "host": "pets.example",
    "basePath": "/v1",
    "schemes": ["https"],
    "consumes": ["application/json"],
    "produces": ["application/json"],
    "securityDefinitions": {
        "key": {"type": "apiKey", "name": "X-Key", "in": "header"},
        "cc": {"type": "oauth2", "flow": "application", "tokenUrl": "/token", "scopes": {}},
    },
    "parameters": {"petId": {"name": "petId", "in": "path", "required": True, "type": "integer"}},
    "paths": {
        "/pets": {
            "get": {
                "operationId": "listPets",
                "parameters": [
                    {
                        "name": "tags",
                        "in": "query",
                        "type": "array",
                        "items": {"type": "string"},
                        "collectionFormat": "multi",
                    },
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "schema": {"type": "array", "items": {"$ref": "#/definitions/Pet"}},
                    }
                },
            },
            "post": {
                "operationId": "createPet",
                "parameters": [
                    {
                        "name": "pet",
                        "in": "body",
                        "required": True,
                        "schema": {"$ref": "#/definitions/Pet"},
                    }
                ],
                "responses": {
                    "201": {"description": "created", "schema": {"$ref": "#/definitions/Pet"}}
                },
            },
        },
        "/pets/{petId}": {
            "parameters": [{"$ref": "#/parameters/petId"}],
            "get": {
                "operationId": "getPet",
                "responses": {
                    "200": {"description": "ok", "schema": {"$ref": "#/definitions/Pet"}},
                    "404": {"description": "missing"},
                },
            },
            "put": {
                "operationId": "uploadPhoto",
                "consumes": ["multipart/form-data"],
                "parameters": [{"name": "photo", "in": "formData", "type": "file"}],
                "responses": {"204": {"description": "stored"}},
            },
        },
    },
    "definitions": {
        "Pet": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string"},
                "nick": {"type": "string", "x-nullable": True},
                "friends": {"type": "array", "items": {"$ref": "#/definitions/Pet"}},
            },
        }
    },
}


@pytest.mark.parametrize("suffix", ["yaml", "json"])
def test_a_swagger_2_document_is_converted_to_openapi_3(tmp_path: Path, suffix: str) -> None:
    text = json.dumps(SWAGGER) if suffix == "json" else yaml.safe_dump(SWAGGER)
    contract_text = CONTRACT.replace("openapi.yaml", f"swagger.{suffix}")

    contract = load_contract(write(tmp_path, {f"swagger.{suffix}": text}, contract_text))

    document = contract.document
    assert document is not None
    raw = document.raw
    assert raw["openapi"] == "3.0.3"
    assert raw["servers"] == [{"url": "https://pets.example/v1"}]
    assert set(document.operations) == {"listPets", "createPet", "getPet", "uploadPhoto"}
    create = document.operations["createPet"].definition
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Pet"
    }
    assert create["requestBody"]["required"] is True
    pet = raw["components"]["schemas"]["Pet"]
    assert pet["properties"]["nick"]["nullable"] is True
    tags = document.operations["listPets"].definition["parameters"][0]
    assert tags["schema"] == {"type": "array", "items": {"type": "string"}}
    assert (tags["style"], tags["explode"]) == ("form", True)
    upload = document.operations["uploadPhoto"].definition["requestBody"]["content"]
    assert upload["multipart/form-data"]["schema"]["properties"]["photo"] == {
        "type": "string",
        "format": "binary",
    }
    schemes = raw["components"]["securitySchemes"]
    assert schemes["cc"]["flows"]["clientCredentials"]["tokenUrl"] == "/token"
    assert raw["paths"]["/pets/{petId}"]["parameters"] == [
        {"$ref": "#/components/parameters/petId"}
    ]
    assert raw["components"]["parameters"]["petId"]["schema"] == {"type": "integer"}


def test_type_may_be_a_single_string(tmp_path: Path) -> None:
    contract = load_contract(write(tmp_path, {"openapi.yaml": openapi({"Node": TREE})}))

    assert [str(kind) for kind in contract.type] == ["rest"]
