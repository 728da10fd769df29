"""Fault injection over Python and the admin API, and the request log that times a client."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx
import pytest

from harness import UsageError, load_contract
from harness.sandbox import REDACTED, Fault, Sandbox, running_sandbox

ROOT = Path(__file__).resolve().parents[2]
ACME = ROOT / "contracts" / "acme-crm"


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


def test_latency_delays_the_answer(sandbox: Sandbox, http: httpx.Client) -> None:
    sandbox.controls.inject(Fault.latency(300, count=1))
    started = time.perf_counter()
    assert http.get("/contacts").status_code == 200
    assert time.perf_counter() - started >= 0.3
    started = time.perf_counter()
    http.get("/contacts")
    assert time.perf_counter() - started < 0.3


def test_503_burst_with_retry_after_then_success(sandbox: Sandbox, http: httpx.Client) -> None:
    sandbox.controls.inject(Fault.burst(503, 2, retry_after_s=1))
    for _ in range(2):
        refused = http.get("/contacts")
        assert refused.status_code == 503
        assert refused.headers["retry-after"] == "1"
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["status"] == 503
        assert {"x-ratelimit-limit", "x-ratelimit-remaining"} <= set(refused.headers)
    assert http.get("/contacts").status_code == 200
    assert sandbox.controls.faults == []


def test_500_burst_answers_the_documented_5xx_body(sandbox: Sandbox, http: httpx.Client) -> None:
    sandbox.controls.inject(Fault.burst(500, 1))
    response = http.get("/contacts")
    assert response.status_code == 500
    body = response.json()
    assert body["status"] == 500
    assert body["error"]["code"] == "ERR_500"


def test_429_burst_carries_the_required_headers(sandbox: Sandbox, http: httpx.Client) -> None:
    sandbox.controls.inject(Fault.burst(429, 1, retry_after_s=2))
    response = http.get("/contacts")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "2"
    assert response.json()["error"]["code"] == "ERR_429"
    assert "x-ratelimit-reset" in response.headers


def test_dropped_connection(sandbox: Sandbox, http: httpx.Client) -> None:
    sandbox.controls.inject(Fault.drop(1))
    with pytest.raises(httpx.RemoteProtocolError):
        http.get("/contacts")
    assert http.get("/contacts").status_code == 200
    dropped = sandbox.controls.requests[-2]
    assert dropped.status is None


def test_faults_can_target_one_operation(sandbox: Sandbox, http: httpx.Client) -> None:
    sandbox.controls.inject(Fault.burst(503, 1, operation="listDeals"))
    assert http.get("/contacts").status_code == 200
    assert http.get("/deals").status_code == 503
    assert http.get("/deals").status_code == 200


def test_faults_over_the_admin_api(sandbox: Sandbox, http: httpx.Client) -> None:
    injected = http.post("/__harness__/faults", json={"status": 502, "count": 1})
    assert injected.status_code == 200
    assert injected.json()[0]["status"] == 502
    assert http.get("/contacts").status_code == 502
    http.post("/__harness__/faults", json={"status": 503})
    assert http.delete("/__harness__/faults").json() == []
    assert http.get("/contacts").status_code == 200
    bad = http.post("/__harness__/faults", json={"status": 503, "colour": "red"})
    assert bad.status_code == 400
    assert "colour" in bad.json()["error"]


def test_invalid_faults_are_usage_errors() -> None:
    with pytest.raises(UsageError, match=r"100\.\.599"):
        Fault(status=42)
    with pytest.raises(UsageError, match="needs a status"):
        Fault()


def test_request_log_times_a_clients_back_off(sandbox: Sandbox, http: httpx.Client) -> None:
    sandbox.controls.inject(Fault.burst(503, 2, retry_after_s=1))
    sandbox.controls.clear_requests()
    for _ in range(3):  # a client that honours Retry-After
        response = http.get("/contacts", params={"page": 1})
        if response.status_code != 503:
            break
        time.sleep(float(response.headers["retry-after"]))
    log = sandbox.controls.requests
    assert [entry.status for entry in log] == [503, 503, 200]
    gaps = [later.timestamp - earlier.timestamp for earlier, later in itertools.pairwise(log)]
    assert all(gap >= 1.0 for gap in gaps)
    first = log[0]
    assert (first.method, first.path, first.query) == ("GET", "/contacts", "page=1")
    assert first.operation_id == "listContacts"
    assert first.headers["authorization"] == REDACTED


def test_request_log_over_the_admin_api_excludes_admin_calls(http: httpx.Client) -> None:
    http.get("/contacts")
    entries = http.get("/__harness__/requests").json()
    assert [entry["path"] for entry in entries] == ["/contacts"]
    assert entries[0]["headers"]["authorization"] == REDACTED
    assert http.delete("/__harness__/requests").json() == []


def test_clock_skew_over_the_admin_api(sandbox: Sandbox, http: httpx.Client) -> None:
    before = sandbox.controls.now()
    skewed = http.post("/__harness__/clock", json={"skew_s": -120}).json()
    assert skewed["offset_s"] == -120
    assert abs(skewed["now"] - (before - 120)) < 5
    served = parsedate_to_datetime(http.get("/health").headers["date"]).timestamp()
    assert abs(served - (before - 120)) < 5  # Date comes from the sandbox clock
    advanced = http.post("/__harness__/clock", json={"advance_s": 3800}).json()
    assert advanced["offset_s"] == 3680
    assert http.get("/contacts").status_code == 401  # the hour-long token has expired
