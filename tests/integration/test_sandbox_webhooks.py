"""Webhooks: the declared event, signed with the declared scheme, delivered to a real
receiver on a free port, and retried (same webhook id) when the receiver fails."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from harness import load_contract
from harness.sandbox import Sandbox, running_sandbox
from harness.sandbox.dialect import Side
from harness.webhooks import VerificationError, verify

ROOT = Path(__file__).resolve().parents[2]
ACME = ROOT / "contracts" / "acme-crm"


@dataclass
class Receiver:
    """A webhook receiver answering a scripted sequence of statuses (then 204)."""

    url: str
    script: list[int] = field(default_factory=list)
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            state.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            status = state.script.pop(0) if state.script else 204
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/webhooks/acme"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(load_contract(ACME), enforce_rate_limits=False) as running:
        yield running


@pytest.fixture
def http(sandbox: Sandbox) -> Iterator[httpx.Client]:
    sandbox.controls.reset()
    headers = {"Authorization": f"Bearer {sandbox.controls.issue_token()}"}
    with httpx.Client(base_url=sandbox.base_url, headers=headers, timeout=10) as client:
        yield client


def _secret(sandbox: Sandbox) -> str:
    secret = sandbox.credentials.webhook_secret
    assert secret is not None
    return secret.reveal()


def test_create_delivers_a_signed_contact_created_event(
    sandbox: Sandbox, http: httpx.Client, receiver: Receiver
) -> None:
    sandbox.controls.subscribe(receiver.url)
    created = http.post("/contacts", json={"full_name": "Ada", "email": "ada@example.com"}).json()
    deliveries = sandbox.controls.wait_for_deliveries()
    assert [(d.event, d.status, d.attempt) for d in deliveries] == [("contact.created", 204, 1)]

    headers, body = receiver.received[0]
    verify("standard-webhooks", _secret(sandbox), headers, body)
    event = json.loads(body)
    assert event["type"] == "contact.created"
    assert event["data"] == created
    assert headers["webhook-id"] == event["id"] == deliveries[0].webhook_id
    spec = sandbox.app.spec
    assert spec.check(event, "/components/schemas/ContactEvent", Side.RESPONSE) is None
    with pytest.raises(VerificationError):
        verify("standard-webhooks", _secret(sandbox), headers, body + b" ")


def test_failed_deliveries_are_retried_with_the_same_webhook_id(
    sandbox: Sandbox, http: httpx.Client, receiver: Receiver
) -> None:
    receiver.script = [500, 503]
    sandbox.controls.subscribe(receiver.url)
    http.post("/contacts", json={"full_name": "Ada", "email": "ada@example.com"})
    deliveries = sandbox.controls.wait_for_deliveries(timeout=15)
    assert [(d.attempt, d.status) for d in deliveries] == [(1, 500), (2, 503), (3, 204)]
    assert len({d.webhook_id for d in deliveries}) == 1
    assert deliveries[1].timestamp - deliveries[0].timestamp >= 0.5  # backoff_ms: 500
    assert deliveries[2].timestamp - deliveries[1].timestamp >= 1.0  # doubled
    ids = {headers["webhook-id"] for headers, _ in receiver.received}
    assert ids == {deliveries[0].webhook_id}
    for headers, body in receiver.received:
        verify("standard-webhooks", _secret(sandbox), headers, body)


def test_delivery_gives_up_after_max_attempts(
    sandbox: Sandbox, http: httpx.Client, receiver: Receiver
) -> None:
    receiver.script = [500] * 10
    sandbox.controls.subscribe(receiver.url)
    http.post("/deals", json={"name": "D", "amount": "1.00", "currency": "EUR", "status": "OPEN"})
    deliveries = sandbox.controls.wait_for_deliveries(timeout=15)
    assert [(d.event, d.attempt, d.ok) for d in deliveries] == [
        ("deal.created", 1, False),
        ("deal.created", 2, False),
        ("deal.created", 3, False),
    ]


def test_subscriptions_over_the_admin_api_and_update_events(
    sandbox: Sandbox, http: httpx.Client, receiver: Receiver
) -> None:
    assert http.post("/__harness__/subscriptions", json={"url": receiver.url}).json() == {
        "subscribers": [receiver.url]
    }
    created = http.post("/contacts", json={"full_name": "Ada", "email": "ada@example.com"}).json()
    path = f"/contacts/{created['external_id']}"
    http.put(path, json={"full_name": "Ada King", "email": "ada@example.com"})
    http.get(path)  # reads trigger nothing
    sandbox.controls.wait_for_deliveries()
    events = [json.loads(body)["type"] for _, body in receiver.received]
    assert events == ["contact.created", "contact.updated"]
    assert json.loads(receiver.received[1][1])["data"]["full_name"] == "Ada King"
    log = http.get("/__harness__/deliveries").json()
    assert [entry["event"] for entry in log] == events
    assert http.delete("/__harness__/subscriptions").json() == {"subscribers": []}


def test_unreachable_receiver_is_logged_not_raised(sandbox: Sandbox, http: httpx.Client) -> None:
    sandbox.controls.subscribe("http://127.0.0.1:9/nothing-listens-here")
    response = http.post("/contacts", json={"full_name": "Ada", "email": "ada@example.com"})
    assert response.status_code == 201
    first = sandbox.controls.wait_for(1, timeout=10)[0]
    assert first.status is None
    assert first.error is not None


def test_skewed_clock_signs_with_a_skewed_timestamp(
    sandbox: Sandbox, http: httpx.Client, receiver: Receiver
) -> None:
    sandbox.controls.subscribe(receiver.url)
    sandbox.controls.skew_clock(-3600)
    http.post("/contacts", json={"full_name": "Ada", "email": "ada@example.com"})
    sandbox.controls.wait_for_deliveries()
    headers, body = receiver.received[0]
    with pytest.raises(VerificationError, match="timestamp"):
        verify("standard-webhooks", _secret(sandbox), headers, body)
