"""A security requirement naming two API keys: the sandbox checks ours and needs the other."""

from __future__ import annotations

from pathlib import Path

import httpx
import yaml

from harness import load_contract
from harness.sandbox import running_sandbox

DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": "Two keys", "version": "1.0.0"},
    "components": {
        "securitySchemes": {
            "key": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
            "client": {"type": "apiKey", "in": "header", "name": "X-Client-Id"},
        }
    },
    "security": [{"key": [], "client": []}],
    "paths": {
        "/things": {
            "get": {
                "operationId": "listThings",
                "responses": {
                    "200": {
                        "description": "Things",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    "401": {"description": "No credentials"},
                },
            }
        }
    },
}
CONTRACT = """\
harness: 1
info: {id: two-keys, name: Two keys, version: "1.0.0"}
type: rest
environments: {local: {}}
auth: {type: api-key, header: X-Api-Key, key: "${TWO_KEYS_KEY}"}
api: {openapi: openapi.yaml}
"""


def test_the_second_key_of_a_requirement_is_required(tmp_path: Path) -> None:
    (tmp_path / "openapi.yaml").write_text(yaml.safe_dump(DOCUMENT))
    (tmp_path / "integration.yaml").write_text(CONTRACT)
    with running_sandbox(load_contract(tmp_path), seed=1) as sandbox:
        key = sandbox.credentials.api_key
        assert key is not None
        url = f"{sandbox.base_url}/things"
        both = {"X-Api-Key": key.reveal(), "X-Client-Id": "any-client"}
        assert httpx.get(url, headers=both).status_code == 200
        assert httpx.get(url, headers={"X-Api-Key": key.reveal()}).status_code == 401
        wrong = {**both, "X-Api-Key": "wrong"}
        assert httpx.get(url, headers=wrong).status_code == 401
