"""OAuth2 client credentials: caching, leeway, refresh, 401 renewal, single flight, errors."""

from __future__ import annotations

import base64
import dataclasses
import functools
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from harness.auth import (
    AuthError,
    ClientAuthMethod,
    Credentials,
    OAuth2ClientCredentials,
    auth_for,
)
from harness.contract import Contract, Secret, load_contract
from harness.errors import TransportError, UsageError
from harness.transports.client import HarnessClient
from harness.transports.exchange import Exchange

ACME = Path(__file__).parents[2] / "contracts" / "acme-crm" / "integration.yaml"
BASE = "http://api.test/v1"
SECRET = "cs_Zq8-very-secret-value"


@functools.cache
def acme() -> Contract:
    return load_contract(ACME)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class TokenServer:
    """A token endpoint and an API that accepts the last token issued."""

    def __init__(
        self,
        *,
        expires_in: Any = 3600,
        refresh: bool = False,
        error: tuple[int, dict[str, str]] | None = None,
        delay_s: float = 0.0,
    ) -> None:
        self.expires_in = expires_in
        self.refresh = refresh
        self.error = error
        self.delay_s = delay_s
        self.refuse_refresh = False
        self.issued = 0
        self.grants: list[dict[str, str]] = []
        self.token_requests: list[httpx.Request] = []
        self.api_requests: list[httpx.Request] = []
        self.valid: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth/token"):
            return self._token(request)
        self.api_requests.append(request)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.valid:
            return httpx.Response(401, json={"error": {"code": "ERR_401"}})
        return httpx.Response(200, json={"data": []})

    def _token(self, request: httpx.Request) -> httpx.Response:
        time.sleep(self.delay_s)
        form = dict(parse_qsl(request.content.decode()))
        with self._lock:
            self.token_requests.append(request)
            self.grants.append(form)
            if self.error is not None:
                return httpx.Response(self.error[0], json=self.error[1])
            if form["grant_type"] == "refresh_token" and self.refuse_refresh:
                return httpx.Response(400, json={"error": "invalid_grant"})
            self.issued += 1
            token = f"at-{self.issued}"
            self.valid = {token}
        body: dict[str, Any] = {"access_token": token, "token_type": "bearer"}
        if self.expires_in is not None:
            body["expires_in"] = self.expires_in
        if self.refresh:
            body["refresh_token"] = f"rt-{self.issued}"
        return httpx.Response(200, json=body, headers={"Cache-Control": "no-store"})


def provider(
    server: TokenServer, clock: Clock | None = None, **options: Any
) -> OAuth2ClientCredentials:
    client = httpx.Client(base_url=BASE, transport=httpx.MockTransport(server))
    settings: dict[str, Any] = {
        "token_url": "/oauth/token",
        "client_id": "client-1",
        "client_secret": Secret("ACME_CLIENT_SECRET", SECRET),
        "token_client": client,
        "scopes": ("contacts.read", "contacts.write"),
        "refresh_leeway_s": 60,
        "clock": clock or Clock(),
    }
    return OAuth2ClientCredentials(**{**settings, **options})


def test_token_request_is_a_client_secret_post_form() -> None:
    server = TokenServer()
    auth = provider(server)
    assert auth.access_token() == "at-1"
    request = server.token_requests[0]
    assert request.method == "POST"
    assert str(request.url) == f"{BASE}/oauth/token"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.headers["Accept"] == "application/json"
    assert server.grants[0] == {
        "grant_type": "client_credentials",
        "client_id": "client-1",
        "client_secret": SECRET,
        "scope": "contacts.read contacts.write",
    }


def test_client_secret_basic_sends_form_encoded_credentials_in_a_header() -> None:
    server = TokenServer()
    secret = Secret("S", "a b+c:d")
    auth = provider(server, client_secret=secret, auth_method=ClientAuthMethod.CLIENT_SECRET_BASIC)
    auth.access_token()
    header = server.token_requests[0].headers["Authorization"]
    assert base64.b64decode(header.removeprefix("Basic ")) == b"client-1:a+b%2Bc%3Ad"
    assert "client_secret" not in server.grants[0]


def test_token_is_cached_until_expiry_minus_leeway() -> None:
    server, clock = TokenServer(expires_in=3600), Clock()
    auth = provider(server, clock)
    assert auth.access_token() == "at-1"
    clock.now += 3600 - 60 - 0.001
    assert auth.access_token() == "at-1"
    assert auth.token_requests == 1
    clock.now += 0.001
    assert auth.access_token() == "at-2"
    assert auth.token_requests == 2


def test_leeway_longer_than_the_token_life_is_halved_to_it() -> None:
    server, clock = TokenServer(expires_in=10), Clock()
    auth = provider(server, clock)
    auth.access_token()
    clock.now += 4.9
    assert auth.access_token() == "at-1"
    clock.now += 0.1
    assert auth.access_token() == "at-2"


@pytest.mark.parametrize(("expires_in", "lifetime"), [("120", 120), (None, 900), (-5, 900)])
def test_expires_in_as_string_or_missing(expires_in: Any, lifetime: float) -> None:
    server, clock = TokenServer(expires_in=expires_in), Clock()
    auth = provider(server, clock, default_lifetime_s=900, refresh_leeway_s=0)
    auth.access_token()
    clock.now += lifetime - 0.01
    assert auth.access_token() == "at-1"
    clock.now += 0.01
    assert auth.access_token() == "at-2"


def test_refresh_token_grant_is_used_when_issued() -> None:
    server, clock = TokenServer(refresh=True), Clock()
    auth = provider(server, clock)
    auth.access_token()
    clock.now += 3600
    assert auth.access_token() == "at-2"
    assert server.grants[1] == {
        "grant_type": "refresh_token",
        "refresh_token": "rt-1",
        "client_id": "client-1",
        "client_secret": SECRET,
    }


def test_refused_refresh_falls_back_to_client_credentials() -> None:
    server, clock = TokenServer(refresh=True), Clock()
    auth = provider(server, clock)
    auth.access_token()
    server.refuse_refresh = True
    clock.now += 3600
    assert auth.access_token() == "at-2"
    assert [g["grant_type"] for g in server.grants] == [
        "client_credentials",
        "refresh_token",
        "client_credentials",
    ]


def test_refresh_token_kept_when_a_refresh_issues_none() -> None:
    server, clock = TokenServer(refresh=True), Clock()
    auth = provider(server, clock)
    auth.access_token()
    server.refresh = False
    clock.now += 3600
    auth.access_token()
    clock.now += 3600
    auth.access_token()
    assert [g.get("refresh_token") for g in server.grants] == [None, "rt-1", "rt-1"]


def harness_client(
    handler: Callable[[httpx.Request], httpx.Response], **options: Any
) -> HarnessClient:
    credentials = Credentials(client_id="client-1", client_secret=Secret("S", SECRET))
    return HarnessClient(
        dataclasses.replace(acme(), rate_limits=()),
        base_url=BASE,
        credentials=credentials,
        transport=httpx.MockTransport(handler),
        **options,
    )


def test_401_drops_the_token_and_fetches_one_new_token() -> None:
    server = TokenServer(refresh=True)
    with harness_client(server) as client:
        assert client.call("listContacts").status_code == 200
        server.valid = set()  # the server revoked every token
        assert client.call("listContacts").status_code == 200
        assert client.auth.token_requests == 2  # type: ignore[attr-defined]
    # Revocation takes the refresh token with it: straight to client credentials.
    assert [g["grant_type"] for g in server.grants] == ["client_credentials"] * 2
    assert len(server.api_requests) == 3


def test_401_with_a_fresh_token_is_returned_after_one_renewal() -> None:
    server = TokenServer()

    def refuse_all(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth/token"):
            return server(request)
        server.api_requests.append(request)
        return httpx.Response(401)

    with harness_client(refuse_all) as client:
        assert client.call("listContacts").status_code == 401
        assert client.auth.token_requests == 2  # type: ignore[attr-defined]
    assert len(server.api_requests) == 2


def test_stale_401_does_not_drop_a_newer_token() -> None:
    server = TokenServer()
    auth = provider(server)
    stale = httpx.Request("GET", f"{BASE}/contacts", headers={"Authorization": "Bearer old"})
    auth.access_token()
    assert auth.on_unauthorized(stale) is True
    assert auth.access_token() == "at-1"
    assert auth.token_requests == 1


def test_concurrent_threads_make_exactly_one_token_request() -> None:
    server = TokenServer(delay_s=0.05)
    auth = provider(server)
    start = threading.Barrier(16)
    tokens: list[str] = []

    def need_token() -> None:
        start.wait()
        tokens.append(auth.access_token())

    threads = [threading.Thread(target=need_token) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert tokens == ["at-1"] * 16
    assert auth.token_requests == 1
    assert len(server.token_requests) == 1


def test_concurrent_threads_share_one_failure() -> None:
    server = TokenServer(delay_s=0.2, error=(401, {"error": "invalid_client"}))
    auth = provider(server)
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def need_token() -> None:
        start.wait()
        try:
            auth.access_token()
        except AuthError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=need_token) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(errors) == 8
    assert len(server.token_requests) == 1


def test_invalid_client_is_an_auth_error_without_the_secret() -> None:
    echo = {"error": "invalid_client", "error_description": f"bad secret {SECRET}"}
    server = TokenServer(error=(401, echo))
    auth = provider(server)
    with pytest.raises(AuthError) as caught:
        auth.access_token()
    error = caught.value
    assert error.error == "invalid_client"
    assert error.status == 401
    assert error.error_description == "bad secret [redacted]"
    text = str(error)
    assert SECRET not in text
    assert SECRET not in repr(error)
    assert "401 invalid_client" in text
    assert "client id 'client-1'" in text
    assert "${ACME_CLIENT_SECRET}" in text
    assert SECRET not in repr(auth)


def test_error_without_rfc6749_body() -> None:
    server = TokenServer()
    auth = provider(server, token_client=httpx.Client(
        base_url=BASE,
        transport=httpx.MockTransport(lambda r: httpx.Response(503, text=f"down {SECRET}")),
    ))  # fmt: skip
    with pytest.raises(AuthError, match=r"503 no RFC 6749 error body") as caught:
        auth.access_token()
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"token_type": "bearer"}, "without an access_token"),
        ({"access_token": "x", "token_type": "mac"}, "issued a 'mac' token"),
    ],
)
def test_malformed_token_responses(body: dict[str, str], message: str) -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(200, json=body))
    auth = provider(TokenServer(), token_client=httpx.Client(base_url=BASE, transport=transport))
    with pytest.raises(AuthError, match=message):
        auth.access_token()


def test_unreachable_token_endpoint_is_a_transport_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    client = httpx.Client(base_url=BASE, transport=httpx.MockTransport(refuse))
    with pytest.raises(TransportError, match=r"token request POST /oauth/token failed"):
        provider(TokenServer(), token_client=client).access_token()


def test_missing_secret_names_the_variable() -> None:
    auth = provider(TokenServer(), client_secret=Secret("ACME_CLIENT_SECRET", None))
    with pytest.raises(UsageError, match=r"set the environment variable ACME_CLIENT_SECRET"):
        auth.access_token()


def test_relative_token_url_needs_a_base_url() -> None:
    with pytest.raises(UsageError, match=r"token_url '/oauth/token' is relative"):
        provider(TokenServer(), token_client=httpx.Client())


def test_secret_values_hold_the_secret_and_issued_tokens() -> None:
    auth = provider(TokenServer(refresh=True))
    auth.access_token()
    assert auth.secret_values() == {SECRET, "at-1", "rt-1"}


def test_auth_for_builds_oauth_from_the_contract() -> None:
    server = TokenServer()
    client = httpx.Client(base_url=BASE, transport=httpx.MockTransport(server))
    credentials = Credentials(client_id="client-9", client_secret=Secret("S", SECRET))
    auth = auth_for(acme().auth, credentials, token_client=client)
    assert isinstance(auth, OAuth2ClientCredentials)
    auth.access_token()
    assert server.grants[0]["client_id"] == "client-9"
    assert server.grants[0]["scope"] == "contacts.read contacts.write deals.read deals.write"


def test_token_exchanges_are_recorded_with_their_operation() -> None:
    recorded: list[Exchange] = []
    with harness_client(TokenServer(), record=recorded.append) as client:
        client.call("listContacts")
    assert [(e.operation_id, e.status) for e in recorded] == [
        ("getToken", 200),
        ("listContacts", 200),
    ]
    assert recorded[0].json()["access_token"] == "at-1"
    assert recorded[0].elapsed_s >= 0
