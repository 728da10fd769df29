"""HarnessClient against the local sandbox served over loopback, as ``harness check`` uses it."""

from __future__ import annotations

import dataclasses
import functools
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from harness.auth import auth_for
from harness.contract import Contract, load_contract
from harness.contract.model import RateLimit
from harness.sandbox import Fault, Sandbox, running_sandbox
from harness.transports.client import HarnessClient
from harness.transports.exchange import Exchange, excerpt, to_curl

ACME = Path(__file__).parents[2] / "contracts" / "acme-crm" / "integration.yaml"


@functools.cache
def acme() -> Contract:
    return load_contract(ACME)


@pytest.fixture(scope="module")
def running() -> Iterator[Sandbox]:
    with running_sandbox(acme(), seed=3) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox(running: Sandbox) -> Sandbox:
    running.controls.reset()
    return running


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def client_for(sandbox: Sandbox, **options: Any) -> HarnessClient:
    options.setdefault("contract", acme())
    return HarnessClient(
        options.pop("contract"),
        base_url=sandbox.base_url,
        credentials=sandbox.credentials,
        **options,
    )


def token_requests(sandbox: Sandbox) -> int:
    return sum(1 for r in sandbox.controls.requests if r.operation_id == "getToken")


def test_create_then_read_a_contact(sandbox: Sandbox) -> None:
    with client_for(sandbox) as client:
        created = client.call(
            "createContact", json={"full_name": "Ada Lovelace", "email": "ada@example.com"}
        )
        assert created.status_code == 201
        external_id = created.json()["external_id"]
        fetched = client.call("getContact", path_params={"external_id": external_id})
    assert fetched.status_code == 200
    assert fetched.json()["full_name"] == "Ada Lovelace"
    assert token_requests(sandbox) == 1
    sent = [r for r in sandbox.controls.requests if r.operation_id == "createContact"]
    assert sent[0].headers["x-api-version"] == "1.0"
    assert sent[0].headers["idempotency-key"]


def test_repeated_idempotency_key_gets_the_original_contact(sandbox: Sandbox) -> None:
    body = {"full_name": "Grace Hopper", "email": "grace@example.com"}
    with client_for(sandbox) as client:
        first = client.call("createContact", json=body, idempotency_key="import-42")
        second = client.call("createContact", json=body, idempotency_key="import-42")
    assert second.json()["external_id"] == first.json()["external_id"]


def test_a_503_burst_is_retried_after_retry_after(sandbox: Sandbox) -> None:
    sandbox.controls.inject(Fault.burst(503, 2, retry_after_s=1, operation="listContacts"))
    recorded: list[Exchange] = []
    sleeps = Sleeps()
    with client_for(sandbox, sleep=sleeps, record=recorded.append) as client:
        assert client.call("listContacts").status_code == 200
    assert sleeps.calls == [1.0, 1.0]
    listed = [(e.attempt, e.status) for e in recorded if e.operation_id == "listContacts"]
    assert listed == [(1, 503), (2, 503), (3, 200)]


def test_a_dropped_connection_is_retried(sandbox: Sandbox) -> None:
    sandbox.controls.inject(Fault.drop(1, operation="listContacts"))
    recorded: list[Exchange] = []
    with client_for(sandbox, sleep=Sleeps(), record=recorded.append) as client:
        assert client.call("listContacts").status_code == 200
    errors = [e.error for e in recorded if e.operation_id == "listContacts"]
    assert errors[0] is not None
    assert errors[0].startswith("RemoteProtocolError")
    assert errors[1] is None


def test_revoked_tokens_are_replaced_once(sandbox: Sandbox) -> None:
    with client_for(sandbox) as client:
        client.call("listContacts")
        sandbox.controls.revoke_tokens()
        assert client.call("listContacts").status_code == 200
    statuses = [r.status for r in sandbox.controls.requests if r.operation_id == "listContacts"]
    assert statuses == [200, 401, 200]
    assert token_requests(sandbox) == 2


def test_expired_token_is_renewed_before_the_server_refuses_it(sandbox: Sandbox) -> None:
    now = [0.0]
    lifetime = 3600  # what the sandbox issues for acme-crm
    with httpx.Client(base_url=sandbox.base_url) as token_client:
        auth = auth_for(
            acme().auth, sandbox.credentials, token_client=token_client, clock=lambda: now[0]
        )
        with client_for(sandbox, auth=auth) as client:
            client.call("listContacts")
            now[0] += lifetime - 30  # inside the 60 s leeway
            sandbox.controls.advance_clock(lifetime - 30)
            assert client.call("listContacts").status_code == 200
            sandbox.controls.advance_clock(31)  # the first token has expired by now
            assert client.call("listContacts").status_code == 200
    statuses = [r.status for r in sandbox.controls.requests if r.operation_id == "listContacts"]
    assert statuses == [200, 200, 200]  # renewed in time: no 401 on the way
    grants = [r for r in sandbox.controls.requests if r.operation_id == "getToken"]
    assert len(grants) == 2


def test_concurrent_first_calls_share_one_token(sandbox: Sandbox) -> None:
    with client_for(sandbox) as client:
        barrier = threading.Barrier(8)
        statuses: list[int] = []

        def call() -> None:
            barrier.wait()
            statuses.append(client.call("listContacts").status_code)

        threads = [threading.Thread(target=call) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert statuses == [200] * 8
    assert token_requests(sandbox) == 1


def tight_limits() -> Contract:
    return dataclasses.replace(acme(), rate_limits=(RateLimit(limit=5, window="1s"),))


def test_throttled_client_stays_under_the_sandbox_limit() -> None:
    with (
        running_sandbox(tight_limits()) as sandbox,
        client_for(sandbox, contract=tight_limits(), retry=False) as client,
    ):
        statuses = [client.call("listContacts").status_code for _ in range(11)]
    assert statuses == [200] * 11


def test_unthrottled_client_is_refused_by_the_sandbox_limit() -> None:
    with (
        running_sandbox(tight_limits()) as sandbox,
        client_for(sandbox, contract=tight_limits(), retry=False, throttle=False) as client,
    ):
        statuses = [client.call("listContacts").status_code for _ in range(11)]
    assert 429 in statuses


def test_evidence_holds_no_sandbox_secret(sandbox: Sandbox) -> None:
    recorded: list[Exchange] = []
    with client_for(sandbox, record=recorded.append) as client:
        client.call("createContact", json={"full_name": "Ada", "email": "a@example.com"})
        held = client.secret_values()
    assert sandbox.credentials.client_secret is not None
    assert sandbox.credentials.client_secret.value in held
    for exchange in recorded:
        text = json.dumps(excerpt(exchange, held)) + to_curl(exchange, held)
        assert not any(value in text for value in held)
