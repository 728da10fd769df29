"""Shapes real documents of the public corpus have that the sandbox must serve correctly:
an encoded slash inside a path parameter (Azure), a query parameter the operation does not
declare, an ``Authorization`` header declared as a plain parameter (testfire.net), a
``multipart/form-data`` upload, and a ``oneOf`` whose options all accept the same object
(docker.com/dvp)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from harness import load_contract
from harness.sandbox import Sandbox, running_sandbox
from harness.sandbox.dialect import Side
from harness.sandbox.generation import Generator
from harness.sandbox.spec import Spec

_OK = {"200": {"description": "OK", "content": {"application/json": {"schema": {
    "type": "object", "properties": {"name": {"type": "string"}}}}}}}  # fmt: skip
_DOCUMENT: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "corpus shapes", "version": "1"},
    "paths": {
        "/quotas/{quota}": {"get": {"operationId": "getQuota", "parameters": [
            {"name": "quota", "in": "path", "required": True, "schema": {"type": "string"}},
            {"name": "api-version", "in": "query", "schema": {"type": "string"}},
        ], "responses": _OK}},
        "/sections/{section}": {"get": {"operationId": "getSection", "parameters": [
            {"name": "section", "in": "path", "required": True,
             "schema": {"type": "string", "enum": ["Arts", "N.Y.%20%2F%20Region"]}},
        ], "responses": _OK}},
        "/account": {"get": {"operationId": "getAccount", "parameters": [
            {"name": "Authorization", "in": "header", "required": True,
             "schema": {"type": "string"}},
        ], "responses": {**_OK, "400": {"description": "Bad request"}}}},
        "/search": {"get": {"operationId": "search", "parameters": [
            {"name": "filter", "in": "query", "style": "deepObject",
             "schema": {"type": "object", "properties": {"a": {"type": "string"}}}},
        ], "responses": _OK}},
        "/uploads": {"post": {"operationId": "upload", "requestBody": {"required": True,
            "content": {"multipart/form-data": {"schema": {"type": "object",
                "required": ["file", "count"], "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "count": {"type": "integer", "minimum": 1},
                    "meta": {"type": "object", "properties": {"a": {"type": "string"}}}}}}}},
            "responses": _OK}},
    },
}  # fmt: skip
_MONTHS = {"properties": {"months": {"type": "array", "items": {"type": "object"}}}}
_WEEKS = {"properties": {"weeks": {"type": "array", "items": {"type": "object"}}}}


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    folder: Path = tmp_path_factory.mktemp("shapes")
    (folder / "openapi.json").write_text(json.dumps(_DOCUMENT), encoding="utf-8")
    (folder / "integration.yaml").write_text(
        "harness: 1\ninfo: {id: shapes, name: shapes, version: 1.0.0}\ntype: [rest]\n"
        "environments: {local: {}}\napi: {openapi: openapi.json}\n",
        encoding="utf-8",
    )
    with running_sandbox(load_contract(folder), seed=1) as running:
        yield running


def test_an_encoded_slash_stays_inside_its_path_parameter(sandbox: Sandbox) -> None:
    url = f"{sandbox.base_url}/quotas/local%2FdelegatedProviderQuota?api-version=1"
    assert httpx.get(url, timeout=10).status_code == 200
    assert sandbox.controls.requests[-1].operation_id == "getQuota"


def test_a_path_value_the_document_lists_percent_encoded_is_taken_as_sent(
    sandbox: Sandbox,
) -> None:
    base = sandbox.base_url
    assert httpx.get(f"{base}/sections/N.Y.%20%2F%20Region", timeout=10).status_code == 200
    assert httpx.get(f"{base}/sections/Arts", timeout=10).status_code == 200
    assert httpx.get(f"{base}/sections/Sports", timeout=10).status_code == 404


def test_a_missing_authorization_header_parameter_is_a_401(sandbox: Sandbox) -> None:
    """testfire.net declares ``Authorization`` as a plain required header, no scheme."""
    base = sandbox.base_url
    headers = {"Authorization": "token"}
    assert httpx.get(f"{base}/account", headers=headers, timeout=10).status_code == 200
    refused = httpx.get(f"{base}/account", timeout=10)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"
    assert refused.headers["harness-sandbox-note"].startswith("undocumented 401: ")


def test_an_undeclared_query_parameter_is_refused_with_a_note(sandbox: Sandbox) -> None:
    base = sandbox.base_url
    assert httpx.get(f"{base}/quotas/q", params={"api-version": "1"}, timeout=10).is_success
    refused = httpx.get(f"{base}/quotas/q", params={"api-versoin": "1"}, timeout=10)
    assert refused.status_code == 400
    assert "query api-versoin: is not a parameter" in refused.headers["harness-sandbox-note"]


def test_a_deep_object_parameter_is_not_an_undeclared_one(sandbox: Sandbox) -> None:
    answer = httpx.get(f"{sandbox.base_url}/search", params={"filter[a]": "x"}, timeout=10)
    assert answer.status_code == 200


def test_a_multipart_upload_is_read_and_validated(sandbox: Sandbox) -> None:
    url = f"{sandbox.base_url}/uploads"
    files = {"file": ("a.txt", b"hello")}
    good = {"count": "3", "meta": '{"a": "b"}'}
    assert httpx.post(url, files=files, data=good, timeout=10).is_success
    for bad in ({"count": "abc"}, {"count": "0"}, {"meta": "{}"}, {**good, "meta": '{"a": 1}'}):
        refused = httpx.post(url, files=files, data=bad, timeout=10)
        assert refused.status_code == 400, (bad, refused.text)
    empty = {"content-type": "multipart/form-data; boundary=x"}
    missing = httpx.post(url, content=b"--x--\r\n", headers=empty, timeout=10)
    assert "required property" in missing.headers["harness-sandbox-note"]  # no fields
    garbled = {"content-type": "multipart/form-data; boundary=x"}
    refused = httpx.post(url, content=b"no parts here", headers=garbled, timeout=10)
    assert refused.status_code == 400
    assert "is not multipart/form-data" in refused.headers["harness-sandbox-note"]


def test_one_of_options_that_accept_the_same_object_are_told_apart() -> None:
    options = [{"$ref": "#/components/schemas/M"}, {"$ref": "#/components/schemas/W"}]
    schemas = {"S": {"oneOf": options}, "M": _MONTHS, "W": _WEEKS}
    spec = Spec({"openapi": "3.0.3", "info": {}, "paths": {}, "components": {"schemas": schemas}})
    for seed in range(5):
        value = Generator(spec, seed=seed).instance("/components/schemas/S", key="k")
        assert spec.check(value, "/components/schemas/S", Side.RESPONSE) is None, value
