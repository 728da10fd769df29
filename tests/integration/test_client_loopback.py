"""HarnessClient against a real HTTP server on 127.0.0.1: OAuth, retries, throttling, errors.

The server is a small Starlette app speaking the acme-crm contract's dialect (token
endpoint, contacts, health) with switches the tests flip: revoke tokens, queue faults,
enforce a sliding-window rate limit, answer slowly.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import secrets
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from harness.auth import AuthError, Credentials
from harness.contract import Contract, Secret, load_contract
from harness.contract.model import RateLimit
from harness.errors import TransportError
from harness.transports.client import HarnessClient
from harness.transports.exchange import Exchange, excerpt, to_curl
from tests.support.servers import serve

ACME = Path(__file__).parents[2] / "contracts" / "acme-crm" / "integration.yaml"
CLIENT_ID = "harness-local"


@dataclass
class State:
    """What the server knows and what the tests switch."""

    secret: str
    tokens: set[str] = field(default_factory=set)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    faults: deque[tuple[int, dict[str, str]]] = field(default_factory=deque)
    keys: list[str | None] = field(default_factory=list)
    arrivals: list[float] = field(default_factory=list)
    limit: tuple[int, float] | None = None  # (requests, window seconds)
    slow_s: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


def build_app(state: State) -> Starlette:
    async def token(request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode()))
        with state.lock:
            state.token_requests.append(form)
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != state.secret:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        issued = "at_" + secrets.token_urlsafe(12)
        with state.lock:
            state.tokens.add(issued)
        body = {"access_token": issued, "token_type": "Bearer", "expires_in": 3600}
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    def refusal(request: Request) -> Response | None:
        with state.lock:
            now = time.monotonic()
            state.arrivals.append(now)
            if state.limit is not None:
                allowed, window = state.limit
                recent = [t for t in state.arrivals if t > now - window]
                if len(recent) > allowed:
                    return JSONResponse({"error": {"code": "ERR_429"}}, status_code=429)
            if state.faults:
                status, headers = state.faults.popleft()
                return JSONResponse({"status": status}, status_code=status, headers=headers)
        sent = request.headers.get("authorization", "").removeprefix("Bearer ")
        if sent not in state.tokens:
            return JSONResponse({"error": {"code": "ERR_401"}}, status_code=401)
        return None

    async def contacts(request: Request) -> Response:
        if request.method == "POST":
            state.keys.append(request.headers.get("idempotency-key"))
        refused = refusal(request)
        if refused is not None:
            return refused
        if request.method == "POST":
            return JSONResponse({"external_id": "c-1", **await request.json()}, status_code=201)
        if state.slow_s:
            await asyncio.sleep(state.slow_s)
        return JSONResponse({"data": [], "page": 1, "per_page": 20, "total": 0})

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[
            Route("/v1/oauth/token", token, methods=["POST"]),
            Route("/v1/contacts", contacts, methods=["GET", "POST"]),
            Route("/v1/health", health),
        ]
    )


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, State]]:
    state = State(secret="cs_" + secrets.token_urlsafe(16))
    with serve(build_app(state), ready_path="/v1/health") as base_url:
        yield base_url + "/v1", state


@pytest.fixture
def state(server: tuple[str, State]) -> State:
    """The server's state, reset for each test."""
    state = server[1]
    with state.lock:
        state.tokens.clear()
        state.token_requests.clear()
        state.faults.clear()
        state.keys.clear()
        state.arrivals.clear()
        state.limit = None
        state.slow_s = 0.0
    return state


@functools.cache
def loaded() -> Contract:
    return load_contract(ACME)


def acme(**changes: Any) -> Contract:
    return dataclasses.replace(loaded(), **{"rate_limits": (), **changes})


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def client_for(
    server: tuple[str, State], *, contract: Contract | None = None, **options: Any
) -> HarnessClient:
    base_url, state = server
    credentials = Credentials(
        client_id=CLIENT_ID, client_secret=Secret("ACME_CLIENT_SECRET", state.secret)
    )
    return HarnessClient(contract or acme(), base_url=base_url, credentials=credentials, **options)


def test_oauth_token_is_fetched_once_and_reused(server: tuple[str, State], state: State) -> None:
    with client_for(server) as client:
        for _ in range(3):
            assert client.call("listContacts").status_code == 200
        assert client.call("getHealth").json() == {"status": "ok"}
    assert len(state.token_requests) == 1
    assert state.token_requests[0]["scope"] == "contacts.read contacts.write deals.read deals.write"


def test_concurrent_calls_share_one_token_request(server: tuple[str, State], state: State) -> None:
    with client_for(server) as client:
        barrier = threading.Barrier(10)
        statuses: list[int] = []

        def call() -> None:
            barrier.wait()
            statuses.append(client.call("listContacts").status_code)

        threads = [threading.Thread(target=call) for _ in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert statuses == [200] * 10
    assert len(state.token_requests) == 1


def test_revoked_token_is_replaced_after_one_401(server: tuple[str, State], state: State) -> None:
    recorded: list[Exchange] = []
    with client_for(server, record=recorded.append) as client:
        client.call("listContacts")
        state.tokens.clear()
        assert client.call("listContacts").status_code == 200
    assert len(state.token_requests) == 2
    assert [e.status for e in recorded] == [200, 200, 401, 200, 200]
    operations = ["getToken", "listContacts", "listContacts", "getToken", "listContacts"]
    assert [e.operation_id for e in recorded] == operations
    assert [e.attempt for e in recorded if e.operation_id == "listContacts"] == [1, 1, 2]


def test_wrong_secret_is_an_auth_error_without_the_secret(server: tuple[str, State]) -> None:
    base_url, _ = server
    wrong = "cs_wrong_" + secrets.token_urlsafe(8)
    credentials = Credentials(
        client_id=CLIENT_ID, client_secret=Secret("ACME_CLIENT_SECRET", wrong)
    )
    client = HarnessClient(acme(), base_url=base_url, credentials=credentials)
    with client, pytest.raises(AuthError, match="invalid_client") as caught:
        client.call("listContacts")
    assert wrong not in str(caught.value)


def test_503_with_retry_after_is_retried(server: tuple[str, State], state: State) -> None:
    state.faults.extend([(503, {"Retry-After": "2"}), (502, {})])
    sleeps = Sleeps()
    with client_for(server, sleep=sleeps) as client:
        assert client.call("listContacts").status_code == 200
    assert sleeps.calls[0] == 2.0
    assert 0.0 <= sleeps.calls[1] <= 2.0  # full jitter of the second backoff step


def test_post_keeps_its_idempotency_key_across_retries(
    server: tuple[str, State], state: State
) -> None:
    state.faults.append((503, {}))
    with client_for(server, sleep=Sleeps()) as client:
        response = client.call("createContact", json={"full_name": "Ada"})
    assert response.status_code == 201
    assert len(state.keys) == 2
    assert state.keys[0] is not None
    assert state.keys[0] == state.keys[1]


def test_throttle_keeps_under_a_sliding_window_limit(
    server: tuple[str, State], state: State
) -> None:
    state.limit = (4, 0.5)
    contract = acme(rate_limits=(RateLimit(limit=4, window="500ms"),), retry=None)
    with client_for(server, contract=contract) as client:
        client.call("listContacts")  # the token first
        statuses = [client.call("listContacts").status_code for _ in range(9)]
    assert statuses == [200] * 9
    assert client.throttle is not None
    assert client.throttle.waited_s > 0


def test_unthrottled_client_trips_the_same_limit(server: tuple[str, State], state: State) -> None:
    state.limit = (4, 0.5)
    contract = acme(rate_limits=(RateLimit(limit=4, window="500ms"),), retry=None)
    with client_for(server, contract=contract, throttle=False) as client:
        statuses = [client.call("listContacts").status_code for _ in range(9)]
    assert 429 in statuses


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_unreachable_target_is_a_transport_error() -> None:
    sleeps = Sleeps()
    base_url = f"http://127.0.0.1:{closed_port()}/v1"
    client = HarnessClient(
        acme(auth=None), base_url=base_url, credentials=Credentials(), sleep=sleeps
    )
    with client, pytest.raises(TransportError) as caught:
        client.call("listContacts")
    message = str(caught.value)
    assert f"GET {base_url}/contacts failed after 3 attempts: ConnectError" in message
    assert "target unreachable" in message
    assert len(sleeps.calls) == 2


def test_slow_answer_times_out(server: tuple[str, State], state: State) -> None:
    with client_for(server, retry=False, timeout_s=0.2) as client:
        client.call("listContacts")
        state.slow_s = 1.0
        with pytest.raises(TransportError, match=r"no answer within 0.2 s"):
            client.call("listContacts")


def test_evidence_over_the_wire_holds_no_secret(server: tuple[str, State], state: State) -> None:
    recorded: list[Exchange] = []
    with client_for(server, record=recorded.append) as client:
        client.call("createContact", json={"full_name": "Ada"})
        held = client.secret_values()
    assert state.secret in held
    token_exchange, create = recorded
    assert create.response is not None
    assert create.response.http_version == "HTTP/1.1"
    for exchange in recorded:
        text = json.dumps(excerpt(exchange, held)) + to_curl(exchange, held)
        assert not any(value in text for value in held)
    assert token_exchange.json()["access_token"] in held
