"""`harness init --from-openapi`: what a document yields, and how bad input is refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.cli import main
from harness.contract import load_contract
from harness.errors import UsageError
from harness.scaffold import Source, derive, read_source, render

PETSTORE = Path(__file__).parents[1] / "fixtures" / "petstore" / "openapi.yaml"


def _document(schemes: dict[str, Any], *, security: list[Any] | None = None) -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "Widgets API", "version": "2.1.0", "description": "Widgets. More."},
        "servers": [{"url": "https://api.widgets.example/v2"}],
        "security": security if security is not None else [{name: []} for name in schemes][:1],
        "components": {"securitySchemes": schemes},
        "paths": {
            "/widgets": {
                "get": {
                    "operationId": "listWidgets",
                    "responses": {
                        "200": {"description": "ok"},
                        "401": {"description": "no token"},
                        "429": {
                            "description": "slow down",
                            "headers": {"X-RateLimit-Limit": {"schema": {"type": "integer"}}},
                        },
                    },
                },
                "post": {
                    "operationId": "createWidget",
                    "requestBody": {"required": True, "content": {"application/json": {}}},
                    "responses": {"201": {"description": "made"}, "400": {"$ref": "#/x/bad"}},
                },
            },
            "/widgets/{id}": {
                "get": {
                    "operationId": "getWidget",
                    "parameters": [{"name": "id", "in": "path", "required": True}],
                    "responses": {"200": {"description": "ok"}, "404": {"description": "gone"}},
                }
            },
            "/status": {
                "get": {
                    "operationId": "getStatus",
                    "security": [],
                    "responses": {"200": {"description": "up"}},
                }
            },
        },
        "x": {"bad": {"description": "Malformed widget"}},
    }


def _source(document: dict[str, Any]) -> Source:
    content = json.dumps(document).encode()
    return Source(document=document, content=content, filename="openapi.json", origin="doc")


@pytest.mark.parametrize(
    ("scheme", "expected"),
    [
        (
            {"type": "apiKey", "in": "header", "name": "X-Widget-Key"},
            {"type": "api-key", "header": "X-Widget-Key", "key": "${WIDGETS_API_KEY}"},
        ),
        (
            {"type": "apiKey", "in": "query", "name": "api_key"},
            {"type": "api-key", "header": "api_key", "in": "query", "key": "${WIDGETS_API_KEY}"},
        ),
        (
            {"type": "http", "scheme": "basic"},
            {"type": "basic", "username": "${WIDGETS_USERNAME}", "password": "${WIDGETS_PASSWORD}"},
        ),
        ({"type": "http", "scheme": "bearer"}, {"type": "bearer", "token": "${WIDGETS_TOKEN}"}),
        (
            {
                "type": "oauth2",
                "flows": {"clientCredentials": {"tokenUrl": "/oauth/token", "scopes": {"w": ""}}},
            },
            {
                "type": "oauth2-client-credentials",
                "token_url": "/oauth/token",
                "client_id": "${WIDGETS_CLIENT_ID}",
                "client_secret": "${WIDGETS_CLIENT_SECRET}",
                "scopes": ["w"],
            },
        ),
        (
            {"type": "oauth2", "flows": {"authorizationCode": {"tokenUrl": "/t", "scopes": {}}}},
            {"type": "bearer", "token": "${WIDGETS_TOKEN}"},
        ),
    ],
)
def test_auth_follows_the_security_scheme(scheme: dict[str, Any], expected: dict[str, Any]) -> None:
    scaffold = derive(_source(_document({"main": scheme})))
    assert scaffold.sections["auth"] == expected


def test_no_security_means_auth_none_and_no_401_trigger() -> None:
    scaffold = derive(_source(_document({}, security=[])))
    assert scaffold.sections["auth"] == {"type": "none"}
    http_401 = next(e for e in scaffold.sections["errors"] if e["status"] == 401)
    assert "trigger" not in http_401
    assert "TODO" in http_401["untriggerable"]


def test_errors_health_environments_and_retry_are_derived() -> None:
    scaffold = derive(_source(_document({"key": {"type": "http", "scheme": "bearer"}})))
    sections = scaffold.sections
    by_status = {e["status"]: e for e in sections["errors"]}
    assert sorted(by_status) == [400, 401, 404, 429]
    assert by_status[400]["description"] == "Malformed widget"  # followed the $ref
    assert by_status[401]["trigger"] == {"operation": "listWidgets", "auth": "none"}
    assert by_status[404]["trigger"] == {"operation": "getWidget", "path": {"id": "does-not-exist"}}
    assert by_status[429]["retryable"] is True
    assert sections["retry"]["retry_on"] == [429]
    assert sections["health"] == {
        "operation": "getStatus",
        "expect_status": 200,
        "max_latency_ms": 1000,
    }
    assert sections["environments"]["production"] == {
        "base_url": "https://api.widgets.example/v2",
        "protected": True,
    }
    assert sections["info"]["id"] == "widgets"
    assert sections["info"]["purpose"] == "Widgets."
    assert "x-ratelimit" in scaffold.extra["rate_limits"]


def test_swagger_2_security_and_host() -> None:
    document = {
        "swagger": "2.0",
        "info": {"title": "Legacy", "version": "1"},
        "host": "legacy.example",
        "basePath": "/api",
        "schemes": ["https"],
        "securityDefinitions": {"k": {"type": "apiKey", "in": "header", "name": "X-Key"}},
        "security": [{"k": []}],
        "paths": {"/items": {"get": {"operationId": "listItems", "responses": {"200": {}}}}},
    }
    sections = derive(_source(document)).sections
    assert sections["auth"]["header"] == "X-Key"
    assert sections["environments"]["production"]["base_url"] == "https://legacy.example/api"


def test_rendered_contract_loads_and_every_todo_is_a_comment(tmp_path: Path) -> None:
    assert main(["init", "--from-openapi", str(PETSTORE), "--out", str(tmp_path)]) == 0
    folder = tmp_path / "swagger-petstore"
    text = (folder / "integration.yaml").read_text()
    assert (folder / "openapi.yaml").read_bytes() == PETSTORE.read_bytes()
    contract = load_contract(folder, environment="local")
    assert contract.id == "swagger-petstore"
    data = yaml.safe_load(text)
    assert "TODO" not in json.dumps(data.get("info", {}))  # TODOs are comments or reasons
    assert "# TODO mappings" in text.replace("#   TODO", "# TODO")
    assert str(tmp_path) not in text  # no machine path in a committed contract


def test_an_existing_contract_is_not_overwritten(tmp_path: Path, capsys: Any) -> None:
    argv = ["init", "--from-openapi", str(PETSTORE), "--out", str(tmp_path)]
    assert main(argv) == 0
    assert main(argv) == 2
    assert "exists; pass --force" in capsys.readouterr().err
    assert main([*argv, "--force"]) == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"openapi: [unclosed", "not a JSON or YAML document"),
        (b"just: a mapping\n", "not an OpenAPI or Swagger document"),
        (b"openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths: {}\n", "no paths"),
        (b"\xff\xfe\x00", "not a JSON or YAML document"),
    ],
)
def test_bad_documents_are_one_clear_line(tmp_path: Path, content: bytes, message: str) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_bytes(content)
    with pytest.raises(UsageError, match=message):
        read_source(str(spec))


def test_bad_arguments_exit_2_with_one_line(tmp_path: Path, capsys: Any) -> None:
    assert main(["init", "--from-openapi", str(tmp_path / "missing.yaml")]) == 2
    assert "no such file" in capsys.readouterr().err
    argv = ["init", "--from-openapi", str(PETSTORE), "--id", "Bad Id", "--out", str(tmp_path)]
    assert main(argv) == 2
    assert "--id 'Bad Id'" in capsys.readouterr().err
    argv = ["init", "--from-openapi", str(PETSTORE), "--auth", "kerberos", "--out", str(tmp_path)]
    assert main(argv) == 2
    assert "no such security scheme" in capsys.readouterr().err


def test_render_keeps_the_guide_order() -> None:
    text = render(derive(_source(_document({"key": {"type": "http", "scheme": "bearer"}}))))
    keys = [line.split(":")[0] for line in text.splitlines() if line[:1].isalpha()]
    assert keys == [
        "harness", "info", "type", "environments", "auth", "api", "errors", "retry", "health",
        "maintenance", "changelog",
    ]  # fmt: skip
