"""Rate limits as declared: per-window quotas with consistent headers, 429 + Retry-After,
concurrency caps, the enforcement switch and the IETF header style."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from harness import load_contract
from harness.sandbox import Fault, Sandbox, running_sandbox
from harness.transports.ratelimit_headers import parse_rate_limit, parse_retry_after

ROOT = Path(__file__).resolve().parents[2]
ACME = ROOT / "contracts" / "acme-crm"
PETSTORE = ROOT / "tests" / "fixtures" / "petstore"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(load_contract(ACME)) as running:
        yield running


@pytest.fixture
def http(sandbox: Sandbox) -> Iterator[httpx.Client]:
    sandbox.controls.reset()
    sandbox.controls.set_rate_limit_enforcement(True)
    headers = {"Authorization": f"Bearer {sandbox.controls.issue_token()}"}
    with httpx.Client(base_url=sandbox.base_url, headers=headers, timeout=10) as client:
        yield client


def test_the_61st_request_in_a_minute_gets_429_with_retry_after(
    sandbox: Sandbox, http: httpx.Client
) -> None:
    remaining = []
    for _ in range(60):
        response = http.get("/contacts")
        assert response.status_code == 200
        info = parse_rate_limit(response.headers)
        assert info is not None
        assert info.limit == 60
        assert info.reset_s is not None
        assert 0 < info.reset_s <= 60
        remaining.append(info.remaining)
    assert remaining == list(range(59, -1, -1))

    refused = http.get("/contacts")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "ERR_429"
    wait = parse_retry_after(refused.headers["retry-after"])
    info = parse_rate_limit(refused.headers)
    assert info is not None
    assert info.remaining == 0
    assert wait is not None
    assert info.reset_s is not None
    assert 1 <= wait <= 60
    assert wait == info.reset_s

    sandbox.controls.advance_clock(wait)
    again = http.get("/contacts")
    assert again.status_code == 200
    assert again.headers["x-ratelimit-remaining"] == "59"


def test_unlimited_operations_carry_no_quota(sandbox: Sandbox, http: httpx.Client) -> None:
    for _ in range(70):
        assert http.get("/health").status_code == 200
    assert "x-ratelimit-limit" not in http.get("/health").headers


def test_enforcement_off_still_counts_and_announces(sandbox: Sandbox, http: httpx.Client) -> None:
    sandbox.controls.set_rate_limit_enforcement(False)
    statuses = {http.get("/contacts").status_code for _ in range(65)}
    assert statuses == {200}
    assert http.get("/contacts").headers["x-ratelimit-remaining"] == "0"


def test_concurrency_limit_refuses_the_sixth_request_in_flight(sandbox: Sandbox) -> None:
    sandbox.controls.reset()
    token = sandbox.controls.issue_token()
    sandbox.controls.inject(Fault.latency(600, count=7))

    async def burst() -> list[int]:
        headers = {"Authorization": f"Bearer {token}"}
        limits = httpx.Limits(max_connections=10)
        async with httpx.AsyncClient(
            base_url=sandbox.base_url, headers=headers, limits=limits
        ) as client:
            responses = await asyncio.gather(*(client.get("/contacts") for _ in range(7)))
        return [r.status_code for r in responses]

    statuses = asyncio.run(burst())
    assert statuses.count(200) == 5
    assert statuses.count(429) == 2


def test_ietf_headers_for_a_contract_that_declares_them() -> None:
    contract = load_contract(PETSTORE)
    with running_sandbox(contract) as running:
        key = running.credentials.api_key
        assert key is not None
        response = httpx.get(
            f"{running.base_url}/store/inventory", headers={"api_key": key.reveal()}
        )
        assert response.status_code == 200
        assert "RateLimit-Policy" in response.headers
        info = parse_rate_limit(response.headers)
        assert info is not None
        assert (info.limit, info.remaining, info.window_s) == (100, 99, 60)
