"""The never-issued credential every refusal check sends: where the contract's scheme puts the
real one, well-formed, never a secret, and the same for every family that sends one."""

from __future__ import annotations

import base64

import httpx
import pytest

from harness.auth.unissued import UNISSUED, unissued_credential
from harness.contract.model import Auth, AuthType, JwtSettings
from harness.transports.exchange import is_harness_marker


def _sent(auth: Auth, marker: str = UNISSUED) -> httpx.Request:
    credential = unissued_credential(auth, marker)
    assert credential is not None
    request = httpx.Request("GET", "https://api.example/contacts?page=1")
    credential.apply(request)
    assert credential.secret_values() == frozenset()
    assert credential.on_unauthorized(request) is False
    return request


def test_no_auth_has_no_unissued_credential() -> None:
    assert unissued_credential(None) is None
    assert unissued_credential(Auth(type=AuthType.NONE)) is None


def test_api_key_goes_in_the_declared_header_or_query_parameter() -> None:
    header = _sent(Auth(type=AuthType.API_KEY, header="X-Widgets-Key"))
    assert header.headers["X-Widgets-Key"] == UNISSUED
    query = _sent(Auth(type=AuthType.API_KEY, header="api_key", in_="query"))
    assert query.url.params["api_key"] == UNISSUED
    assert query.url.params["page"] == "1"
    assert "api_key" not in {name.lower() for name in query.headers}


def test_basic_carries_a_made_up_password() -> None:
    value = _sent(Auth(type=AuthType.BASIC, username="ada")).headers["Authorization"]
    assert base64.b64decode(value.removeprefix("Basic ")).decode() == f"harness:{UNISSUED}"


@pytest.mark.parametrize("kind", [AuthType.BEARER, AuthType.OAUTH2_CLIENT_CREDENTIALS])
def test_tokens_are_bearer(kind: AuthType) -> None:
    assert _sent(Auth(type=kind)).headers["Authorization"] == f"Bearer {UNISSUED}"


def test_a_jwt_parses_but_no_key_signed_it() -> None:
    auth = Auth(type=AuthType.JWT, jwt=JwtSettings(algorithm="HS256"))
    token = _sent(auth, "harness-forged-0000002a").headers["Authorization"].removeprefix("Bearer ")
    header, claims, signature = token.split(".")
    assert base64.urlsafe_b64decode(header + "==") == b"{}"
    assert base64.urlsafe_b64decode(claims + "==") == b"{}"
    assert signature == "harness-forged-0000002a"  # an echo of it is still recognisable


def test_the_value_is_shown_as_sent_in_curl_lines_not_hidden_as_a_secret() -> None:
    assert is_harness_marker(UNISSUED)


def test_a_bare_httpx_client_takes_it_as_auth() -> None:
    credential = unissued_credential(Auth(type=AuthType.BEARER))
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Authorization"])
        return httpx.Response(401)

    with httpx.Client(transport=httpx.MockTransport(answer)) as client:
        client.get("https://api.example/", auth=credential)
    assert seen == [f"Bearer {UNISSUED}"]
