"""A contract the sandbox was not written for (tests/fixtures/notes): nested collections,
offset pagination with ``has_more``, an API key in the query string, a subscription
operation, HMAC-signed webhooks with a custom header, and 422 errors keyed by ``code``."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from harness import load_contract
from harness.sandbox import Sandbox, running_sandbox
from harness.webhooks import get_scheme, verify

ROOT = Path(__file__).resolve().parents[2]
NOTES = ROOT / "tests" / "fixtures" / "notes"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(load_contract(NOTES), seed=4) as running:
        yield running


@pytest.fixture
def http(sandbox: Sandbox) -> Iterator[httpx.Client]:
    sandbox.controls.reset()
    key = sandbox.credentials.api_key
    assert key is not None
    params = {"api_key": key.reveal()}
    with httpx.Client(base_url=sandbox.base_url, params=params, timeout=10) as client:
        yield client


def test_the_api_key_goes_in_the_query_and_is_redacted(sandbox: Sandbox) -> None:
    sandbox.controls.reset()
    httpx.post(
        f"{sandbox.base_url}/projects",
        json={"name": "P"},
        params={"api_key": sandbox.credentials.api_key.reveal()},  # type: ignore[union-attr]
    )
    # no 401 documented: refused with 401 all the same, challenge and note included
    refused = httpx.get(f"{sandbox.base_url}/projects/1")
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith("ApiKey")
    assert refused.headers["harness-sandbox-note"].startswith("undocumented 401: ")
    with_key = httpx.get(
        f"{sandbox.base_url}/projects/1",
        params={"api_key": sandbox.credentials.api_key.reveal()},  # type: ignore[union-attr]
    )
    assert with_key.status_code == 200
    assert sandbox.controls.requests[-1].query == "api_key=%5Bredacted%5D"


def test_nested_collections_are_kept_apart(http: httpx.Client) -> None:
    first = http.post("/projects", json={"name": "One"}).json()
    second = http.post("/projects", json={"name": "Two"}).json()
    assert (first["id"], second["id"]) == (1, 2)
    assert first["created_at"].endswith("Z")
    note = http.post("/projects/1/notes", json={"text": "hello", "pinned": True})
    assert note.status_code == 201
    assert note.json()["author"]["name"] == "Ada Lovelace"  # the schema's example
    assert http.get("/projects/2/notes").json() == {
        "items": [],
        "total": 0,
        "has_more": False,
        "next": None,
    }
    assert http.get(note.headers["location"]).json() == note.json()
    assert http.get(f"/projects/2/notes/{note.json()['id']}").status_code == 404
    orphan = http.get(f"/projects/3/notes/{note.json()['id']}")
    assert orphan.status_code == 404
    assert orphan.json()["message"] == "No resource with projectId 3."


def test_offset_pagination_and_boolean_filters(http: httpx.Client) -> None:
    http.post("/projects", json={"name": "P"})
    for index in range(5):
        http.post("/projects/1/notes", json={"text": f"n{index}", "pinned": index % 2 == 0})
    page = http.get("/projects/1/notes", params={"offset": 2, "limit": 2}).json()
    assert [item["text"] for item in page["items"]] == ["n2", "n3"]
    assert (page["total"], page["has_more"], page["next"]) == (5, True, "4")
    pinned = http.get("/projects/1/notes", params={"pinned": "true"}).json()
    assert [item["text"] for item in pinned["items"]] == ["n0", "n2", "n4"]
    # No 400 documented: refused all the same (a real server would), and the sandbox says so.
    too_many = http.get("/projects/1/notes", params={"limit": 99})
    assert too_many.status_code == 400
    assert too_many.json()["detail"].startswith("query limit: ")
    assert too_many.headers["harness-sandbox-note"].startswith("undocumented 400: ")


def test_declared_errors_with_a_top_level_code(http: httpx.Client) -> None:
    http.post("/projects", json={"name": "P"})
    invalid = http.post("/projects/1/notes", json={"text": ""})
    assert invalid.status_code == 422
    assert invalid.json()["code"] == "NOTE_INVALID"
    unknown = http.get("/projects/999")
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "NOT_FOUND"


def test_subscription_operation_and_hmac_signed_delivery(
    sandbox: Sandbox, http: httpx.Client
) -> None:
    received: list[tuple[dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            received.append((dict(self.headers.items()), body))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        subscribed = http.post("/subscriptions", json={"callback_url": url})
        assert subscribed.status_code == 201
        assert sandbox.controls.subscribers == [url]
        http.post("/projects", json={"name": "P"})
        note = http.post("/projects/1/notes", json={"text": "hi"}).json()
        sandbox.controls.wait_for_deliveries()
    finally:
        server.shutdown()
        server.server_close()
    headers, body = received[0]
    assert headers["X-Notes-Signature"].startswith("sha256=")
    scheme = get_scheme(
        "hmac-sha256", header="X-Notes-Signature", encoding="base64", prefix="sha256="
    )
    secret = sandbox.credentials.webhook_secret
    assert secret is not None
    verify(scheme, secret.reveal(), headers, body)
    event = json.loads(body)
    assert event["event"] == "note.created"
    assert event["note"] == note
