"""Documents over HTTP, against a real server on 127.0.0.1: pinned URLs, opted-in remote refs,
and response bodies compressed with brotli or zstd (decoded, not reported as garbage)."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import brotli
import httpx
import pytest
import zstandard

from harness import ContractError, load_contract
from harness.contract.remote import CACHE_FOLDER

SCHEMA = {"type": "object", "properties": {"name": {"type": "string", "maxLength": 3}}}
BODY = {"data": [{"name": "Ada"}], "note": "compressed " * 50}


def document(schema_ref: str = "#/components/schemas/Thing") -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Remote", "version": "1.0"},
        "paths": {
            "/things": {
                "get": {
                    "operationId": "listThings",
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": {"$ref": schema_ref}}},
                        }
                    },
                }
            }
        },
        "components": {"schemas": {"Thing": SCHEMA}},
    }


class Served:
    """What the server answers per path, and which paths were asked for."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, dict[str, str]]] = {}
        self.requests: list[str] = []


def _handler(served: Served) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            served.requests.append(self.path)
            body, headers = served.files.get(self.path, (b"missing", {}))
            self.send_response(200 if self.path in served.files else 404)
            for name, value in {"Content-Length": str(len(body)), **headers}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def server() -> Iterator[tuple[str, Served]]:
    served = Served()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(served))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", served
    finally:
        httpd.shutdown()
        httpd.server_close()


def contract(folder: Path, api: str) -> Path:
    text = (
        'harness: 1\ninfo: {id: remote, name: Remote, version: "1.0"}\ntype: rest\n'
        f"environments: {{}}\napi: {api}\n"
    )
    (folder / "integration.yaml").write_text(text, encoding="utf-8")
    return folder


def test_a_url_document_is_fetched_once_cached_and_pinned(
    tmp_path: Path, server: tuple[str, Served]
) -> None:
    base, served = server
    body = json.dumps(document()).encode()
    served.files["/openapi.json"] = (body, {"Content-Type": "application/json"})
    digest = hashlib.sha256(body).hexdigest()
    folder = contract(tmp_path, f"{{openapi: {base}/openapi.json, sha256: {digest}}}")

    first = load_contract(folder)
    served.files.clear()  # the vendor is gone: the cached copy is enough
    second = load_contract(folder)

    assert served.requests == ["/openapi.json"]
    assert first.document is not None
    assert second.document is not None
    assert set(second.document.operations) == {"listThings"}
    cached = list((tmp_path / CACHE_FOLDER).iterdir())
    assert [path.read_bytes() for path in cached] == [body]


def test_a_changed_document_is_a_clear_error(tmp_path: Path, server: tuple[str, Served]) -> None:
    base, served = server
    served.files["/openapi.json"] = (json.dumps(document()).encode(), {})
    pinned = "0" * 64
    folder = contract(tmp_path, f"{{openapi: {base}/openapi.json, sha256: '{pinned}'}}")

    with pytest.raises(ContractError) as caught:
        load_contract(folder)

    text = str(caught.value)
    assert f"{base}/openapi.json has changed: its sha256 is " in text
    assert f"the contract pins {pinned}" in text
    assert "integration.yaml:5:" in text
    assert not (tmp_path / CACHE_FOLDER).exists()


def test_an_unpinned_url_names_the_digest_to_pin(
    tmp_path: Path, server: tuple[str, Served]
) -> None:
    base, served = server
    body = json.dumps(document()).encode()
    served.files["/openapi.json"] = (body, {})
    folder = contract(tmp_path, f"{{openapi: {base}/openapi.json}}")

    with pytest.raises(ContractError) as caught:
        load_contract(folder)

    assert f"add 'sha256: {hashlib.sha256(body).hexdigest()}' beside it" in str(caught.value)


def test_remote_refs_are_fetched_only_when_the_contract_opts_in(
    tmp_path: Path, server: tuple[str, Served]
) -> None:
    base, served = server
    served.files["/schemas.json"] = (json.dumps({"Thing": SCHEMA}).encode(), {})
    (tmp_path / "openapi.yaml").write_text(
        json.dumps(document(f"{base}/schemas.json#/Thing")), encoding="utf-8"
    )

    with pytest.raises(ContractError, match="is not fetched"):
        load_contract(contract(tmp_path, "{openapi: openapi.yaml}"))
    assert served.requests == []

    loaded = load_contract(contract(tmp_path, "{openapi: openapi.yaml, allow_remote_refs: true}"))

    assert served.requests == ["/schemas.json"]
    assert loaded.document is not None
    response = loaded.document.operations["listThings"].definition["responses"]["200"]
    reference = response["content"]["application/json"]["schema"]["$ref"]
    assert reference.startswith("#/x-harness-bundled/")


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [("br", brotli.compress), ("zstd", zstandard.ZstdCompressor().compress)],
)
def test_brotli_and_zstd_bodies_are_decoded(
    server: tuple[str, Served], encoding: str, compress: Any
) -> None:
    base, served = server
    raw = json.dumps(BODY).encode()
    served.files["/things"] = (
        compress(raw),
        {"Content-Type": "application/json", "Content-Encoding": encoding},
    )

    response = httpx.get(f"{base}/things", headers={"Accept-Encoding": encoding})

    assert response.headers["content-encoding"] == encoding
    assert response.json() == BODY
    assert int(response.headers["content-length"]) < len(raw)
