"""HarnessClient: retries as the contract declares them, 401 re-authentication, recording."""

from __future__ import annotations

import dataclasses
import functools
import random
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from harness.auth import Credentials, NoAuth
from harness.contract import Contract, Secret, load_contract
from harness.contract.model import Auth, AuthType, Retry
from harness.errors import TransportError, UsageError
from harness.transports.client import HarnessClient, retry_policy_for
from harness.transports.exchange import Exchange
from harness.transports.retry_policy import Backoff, Jitter, delay_bounds

ACME = Path(__file__).parents[2] / "contracts" / "acme-crm" / "integration.yaml"
BASE = "http://api.test/v1"


@functools.cache
def acme() -> Contract:
    return load_contract(ACME)


def contract_with(**changes: Any) -> Contract:
    return dataclasses.replace(acme(), **{"auth": None, "rate_limits": (), **changes})


def retry(**changes: Any) -> Retry:
    assert acme().retry is not None
    return dataclasses.replace(acme().retry, **changes)


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class Script:
    """A server that answers from a list, last answer repeated; remembers every request."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def make_client(
    handler: Callable[[httpx.Request], httpx.Response],
    fake: FakeTime,
    *,
    contract: Contract | None = None,
    **options: Any,
) -> HarnessClient:
    return HarnessClient(
        contract or contract_with(),
        base_url=BASE,
        credentials=Credentials(),
        transport=httpx.MockTransport(handler),
        sleep=fake.sleep,
        clock=fake.clock,
        rng=random.Random(7),
        **options,
    )


def status(code: int, **headers: str) -> httpx.Response:
    return httpx.Response(code, headers=headers, json={"status": code})


def test_contract_retry_maps_to_policy() -> None:
    policy = retry_policy_for(acme().retry)
    assert policy.max_attempts == 3
    assert policy.backoff is Backoff.EXPONENTIAL
    assert policy.jitter is Jitter.FULL
    assert policy.base_delay_ms == 1000
    assert policy.max_delay_ms == 8000
    assert policy.retry_on == frozenset({429, 502, 503, 504})
    assert policy.max_retry_after_ms == 60000
    assert policy.deadline_ms == 30000
    assert policy.idempotency_header == "Idempotency-Key"
    assert retry_policy_for(None).max_attempts == 1


def test_get_is_retried_until_success_with_delays_in_bounds() -> None:
    fake = FakeTime()
    server = Script(status(503), status(502), status(200))
    with make_client(server, fake) as client:
        response = client.call("listContacts")
    assert response.status_code == 200
    assert len(server.requests) == 3
    assert len(fake.sleeps) == 2
    for number, slept in enumerate(fake.sleeps, start=1):
        low, high = delay_bounds(client.policy, number)
        assert low <= slept <= high


def test_retries_stop_at_max_attempts_and_return_the_last_response() -> None:
    fake = FakeTime()
    server = Script(status(503))
    with make_client(server, fake) as client:
        response = client.call("listContacts")
    assert response.status_code == 503
    assert len(server.requests) == 3
    assert len(fake.sleeps) == 2


@pytest.mark.parametrize("code", [200, 400, 404, 500])
def test_statuses_outside_retry_on_are_not_retried(code: int) -> None:
    fake = FakeTime()
    server = Script(status(code))
    with make_client(server, fake) as client:
        assert client.call("listContacts").status_code == code
    assert len(server.requests) == 1
    assert fake.sleeps == []


def test_retry_after_wins_over_backoff() -> None:
    fake = FakeTime()
    server = Script(status(429, **{"Retry-After": "5"}), status(200))
    with make_client(server, fake) as client:
        assert client.call("listContacts").status_code == 200
    assert fake.sleeps == [5.0]


def test_retry_after_is_capped_by_max_retry_after() -> None:
    fake = FakeTime()
    server = Script(status(503, **{"Retry-After": "120"}), status(200))
    contract = contract_with(retry=retry(max_retry_after_ms=60000, deadline_ms=None))
    with make_client(server, fake, contract=contract) as client:
        assert client.call("listContacts").status_code == 200
    assert fake.sleeps == [60.0]


def test_retry_after_ignored_when_not_honoured() -> None:
    fake = FakeTime()
    server = Script(status(429, **{"Retry-After": "30"}), status(200))
    contract = contract_with(retry=retry(honor_retry_after=False))
    with make_client(server, fake, contract=contract) as client:
        client.call("listContacts")
    assert len(fake.sleeps) == 1
    assert 0.0 <= fake.sleeps[0] <= 1.0


def test_deadline_stops_retries_that_would_start_too_late() -> None:
    fake = FakeTime()
    server = Script(status(503))
    contract = contract_with(retry=retry(jitter="none", deadline_ms=1500, max_attempts=5))
    with make_client(server, fake, contract=contract) as client:
        client.call("listContacts")
    # retry 1 after 1 s (elapsed 1 <= 1.5); retry 2 would start at 1 + 2 = 3 s > 1.5 s
    assert fake.sleeps == [1.0]
    assert len(server.requests) == 2


def test_post_without_idempotency_key_is_not_retried() -> None:
    fake = FakeTime()
    server = Script(status(503))
    contract = contract_with(retry=retry(idempotency_header=None))
    with make_client(server, fake, contract=contract) as client:
        response = client.call("createContact", json={"full_name": "Ada"})
    assert response.status_code == 503
    assert len(server.requests) == 1
    assert "idempotency-key" not in server.requests[0].headers


def test_declared_idempotency_header_is_added_and_kept_across_retries() -> None:
    fake = FakeTime()
    server = Script(status(503), status(201))
    with make_client(server, fake) as client:
        assert client.call("createContact", json={"full_name": "Ada"}).status_code == 201
    keys = [request.headers["Idempotency-Key"] for request in server.requests]
    assert len(keys) == 2
    assert keys[0] == keys[1]
    assert uuid.UUID(keys[0]).version == 4


@pytest.mark.parametrize(
    ("method", "keyed"),
    [("POST", True), ("PATCH", True), ("GET", False), ("PUT", False), ("DELETE", False)],
)
def test_idempotency_key_only_for_post_and_patch(method: str, keyed: bool) -> None:
    server = Script(status(200))
    with make_client(server, FakeTime()) as client:
        client.request(method, "/contacts/1")
    assert ("idempotency-key" in server.requests[0].headers) is keyed


def test_explicit_idempotency_key_is_sent_and_makes_post_retryable() -> None:
    fake = FakeTime()
    server = Script(status(503), status(201))
    contract = contract_with(retry=retry(idempotency_header=None))
    with make_client(server, fake, contract=contract) as client:
        client.request("POST", "/contacts", json={}, idempotency_key="key-1")
    assert [r.headers["Idempotency-Key"] for r in server.requests] == ["key-1", "key-1"]


def test_connection_errors_are_retried_then_translated() -> None:
    fake = FakeTime()
    server = Script(httpx.ConnectError("[Errno 111] Connection refused"))
    recorded: list[Exchange] = []
    with (
        make_client(server, fake, record=recorded.append) as client,
        pytest.raises(TransportError) as caught,
    ):
        client.call("getContact", path_params={"external_id": "c-1"})
    message = str(caught.value)
    assert message.startswith("GET http://api.test/v1/contacts/c-1 failed after 3 attempts")
    assert "ConnectError" in message
    assert "target unreachable" in message
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert [e.attempt for e in recorded] == [1, 2, 3]
    assert all(e.response is None and e.error for e in recorded)


def test_connection_error_then_success() -> None:
    server = Script(httpx.ConnectError("refused"), status(200))
    with make_client(server, FakeTime()) as client:
        assert client.call("listContacts").status_code == 200


def test_post_connection_error_without_key_is_not_retried() -> None:
    server = Script(httpx.ConnectError("refused"))
    contract = contract_with(retry=retry(idempotency_header=None))
    with (
        make_client(server, FakeTime(), contract=contract) as client,
        pytest.raises(TransportError),
    ):
        client.call("createContact", json={})
    assert len(server.requests) == 1


def test_timeout_message_names_the_timeout() -> None:
    server = Script(httpx.ReadTimeout("timed out"))
    with (
        make_client(server, FakeTime(), retry=False, timeout_s=2.5) as client,
        pytest.raises(TransportError, match=r"no answer within 2.5 s"),
    ):
        client.call("listContacts")
    assert len(server.requests) == 1


@pytest.mark.parametrize("contract", [contract_with(retry=None)], ids=["no-retry-section"])
def test_without_declared_retry_one_attempt(contract: Contract) -> None:
    server = Script(status(503))
    with make_client(server, FakeTime(), contract=contract) as client:
        client.call("listContacts")
    assert len(server.requests) == 1


def test_retry_false_sends_once() -> None:
    server = Script(status(503))
    with make_client(server, FakeTime(), retry=False) as client:
        client.call("listContacts")
    assert len(server.requests) == 1


def test_every_attempt_is_recorded_with_operation_and_number() -> None:
    recorded: list[Exchange] = []
    server = Script(status(503), status(200))
    with make_client(server, FakeTime(), record=recorded.append) as client:
        client.call("listContacts")
    assert [(e.operation_id, e.attempt, e.status) for e in recorded] == [
        ("listContacts", 1, 503),
        ("listContacts", 2, 200),
    ]
    assert recorded[1].json() == {"status": 200}
    assert recorded[0].request.url == f"{BASE}/contacts"


class CountingAuth:
    """An AuthProvider that may renew: token-N on the N-th renewal."""

    def __init__(self, *, renews: bool = True) -> None:
        self.renews = renews
        self.generation = 1
        self.refusals = 0

    def apply(self, request: httpx.Request) -> None:
        request.headers["Authorization"] = f"Bearer token-{self.generation}"

    def on_unauthorized(self, request: httpx.Request | None = None) -> bool:
        self.refusals += 1
        self.generation += 1
        return self.renews

    def secret_values(self) -> frozenset[str]:
        return frozenset({f"token-{self.generation}"})


def test_401_renews_credentials_and_resends_once() -> None:
    auth = CountingAuth()
    server = Script(status(401), status(200))
    with make_client(server, FakeTime(), auth=auth) as client:
        assert client.call("listContacts").status_code == 200
    assert [r.headers["Authorization"] for r in server.requests] == [
        "Bearer token-1",
        "Bearer token-2",
    ]


def test_a_second_401_is_returned() -> None:
    auth = CountingAuth()
    fake = FakeTime()
    server = Script(status(401))
    with make_client(server, fake, auth=auth) as client:
        assert client.call("listContacts").status_code == 401
    assert len(server.requests) == 2
    assert auth.refusals == 1
    assert fake.sleeps == []


def test_401_not_resent_when_provider_cannot_renew() -> None:
    server = Script(status(401))
    with make_client(server, FakeTime(), auth=CountingAuth(renews=False)) as client:
        client.call("listContacts")
    assert len(server.requests) == 1


def test_401_resend_does_not_use_up_a_retry() -> None:
    server = Script(status(401), status(503), status(503), status(200))
    with make_client(server, FakeTime(), auth=CountingAuth()) as client:
        assert client.call("listContacts").status_code == 200
    assert len(server.requests) == 4


def test_default_headers_from_contract() -> None:
    server = Script(status(200))
    with make_client(server, FakeTime()) as client:
        client.call("listContacts")
    headers = server.requests[0].headers
    assert headers["X-API-Version"] == "1.0"
    assert headers["Accept"] == "application/json"


def test_call_fills_and_encodes_path_parameters() -> None:
    server = Script(status(200))
    with make_client(server, FakeTime()) as client:
        client.call("getContact", path_params={"external_id": "a/b c"})
    assert server.requests[0].url.raw_path == b"/v1/contacts/a%2Fb%20c"


def test_call_rejects_missing_and_unknown_path_parameters() -> None:
    with make_client(Script(status(200)), FakeTime()) as client:
        with pytest.raises(UsageError, match=r"missing path parameter\(s\) external_id"):
            client.call("getContact")
        with pytest.raises(UsageError, match=r"unknown path parameter\(s\) id"):
            client.call("listContacts", path_params={"id": 1})


def test_unknown_operation_suggests_the_closest() -> None:
    with (
        make_client(Script(status(200)), FakeTime()) as client,
        pytest.raises(UsageError, match=r"no operation 'listContact'; did you mean 'listContacts'"),
    ):
        client.call("listContact")


def test_public_operations_are_sent_without_credentials() -> None:
    server = Script(status(200))
    with make_client(server, FakeTime(), auth=CountingAuth()) as client:
        client.call("getHealth")
        client.call("listContacts")
        client.call("listContacts", auth=NoAuth())
    assert [r.headers.get("Authorization") for r in server.requests] == [
        None,
        "Bearer token-1",
        None,
    ]


def test_cookies_are_sent_as_a_header() -> None:
    server = Script(status(200))
    with make_client(server, FakeTime()) as client:
        client.request("GET", "/contacts", cookies={"session": "abc", "theme": "dark"})
    assert server.requests[0].headers["Cookie"] == "session=abc; theme=dark"


def test_absolute_urls_are_sent_as_given() -> None:
    server = Script(status(200))
    with make_client(server, FakeTime()) as client:
        client.request("get", "http://other.test/x")
    assert str(server.requests[0].url) == "http://other.test/x"
    assert server.requests[0].method == "GET"


def test_unsupported_scheme_is_a_usage_error() -> None:
    # The real transport refuses the scheme before any connection is made.
    client = HarnessClient(contract_with(), base_url=BASE, credentials=Credentials(), retry=False)
    with client, pytest.raises(UsageError, match=r"ftp://example.test/file"):
        client.request("GET", "ftp://example.test/file")


def test_api_key_in_query_is_not_in_transport_error() -> None:
    contract = contract_with(auth=Auth(type=AuthType.API_KEY, header="api_key", in_="query"))
    credentials = Credentials(api_key=Secret("ACME_KEY", "k3y-very-secret"))
    server = Script(httpx.ConnectError("refused"))
    client = HarnessClient(
        contract,
        base_url=BASE,
        credentials=credentials,
        transport=httpx.MockTransport(server),
        retry=False,
    )
    with client, pytest.raises(TransportError) as caught:
        client.call("listContacts")
    assert "k3y-very-secret" in str(server.requests[0].url)
    assert "k3y-very-secret" not in str(caught.value)
