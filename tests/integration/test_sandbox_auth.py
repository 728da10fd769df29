"""Auth as declared: the OAuth2 token endpoint, expiring and revoked tokens, scopes, and the
API-key, basic, bearer and JWT schemes, each against a real server."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from harness import load_contract
from harness.contract import Contract
from harness.sandbox import Sandbox, running_sandbox

ROOT = Path(__file__).resolve().parents[2]
ACME = ROOT / "contracts" / "acme-crm"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(load_contract(ACME), enforce_rate_limits=False) as running:
        yield running


@pytest.fixture
def http(sandbox: Sandbox) -> Iterator[httpx.Client]:
    sandbox.controls.reset()
    with httpx.Client(base_url=sandbox.base_url, timeout=10) as client:
        yield client


def _token_form(sandbox: Sandbox, **extra: str) -> dict[str, str]:
    secret = sandbox.credentials.client_secret
    assert secret is not None
    form = {
        "grant_type": "client_credentials",
        "client_id": sandbox.credentials.client_id or "",
        "client_secret": secret.reveal(),
    }
    return form | extra


def test_client_credentials_issue_a_working_bearer_token(
    sandbox: Sandbox, http: httpx.Client
) -> None:
    response = http.post("/oauth/token", data=_token_form(sandbox))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["refresh_token"].startswith("rt_")
    assert set(body["scope"].split()) == {
        "contacts.read",
        "contacts.write",
        "deals.read",
        "deals.write",
    }
    listed = http.get("/contacts", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert listed.status_code == 200


def test_basic_client_authentication_is_accepted(sandbox: Sandbox, http: httpx.Client) -> None:
    form = _token_form(sandbox)
    pair = f"{form.pop('client_id')}:{form.pop('client_secret')}".encode()
    basic = "Basic " + base64.b64encode(pair).decode()
    response = http.post("/oauth/token", data=form, headers={"Authorization": basic})
    assert response.status_code == 200


def test_wrong_secret_is_invalid_client_401_with_challenge(
    sandbox: Sandbox, http: httpx.Client
) -> None:
    response = http.post("/oauth/token", data=_token_form(sandbox, client_secret="wrong"))
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response.headers["www-authenticate"].startswith("Basic realm=")


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"grant_type": ""}, "invalid_request"),
        ({"grant_type": "password"}, "unsupported_grant_type"),
        ({"scope": "contacts.read admin"}, "invalid_scope"),
        ({"grant_type": "refresh_token", "refresh_token": "rt_nope"}, "invalid_grant"),
    ],
)
def test_token_errors_are_rfc_6749_bodies(
    sandbox: Sandbox, http: httpx.Client, form: dict[str, str], error: str
) -> None:
    response = http.post("/oauth/token", data=_token_form(sandbox, **form))
    assert response.status_code == 400
    assert response.json()["error"] == error


def test_token_expires_on_the_sandbox_clock(sandbox: Sandbox, http: httpx.Client) -> None:
    token = http.post("/oauth/token", data=_token_form(sandbox)).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    sandbox.controls.advance_clock(3599)
    assert http.get("/contacts", headers=headers).status_code == 200
    sandbox.controls.advance_clock(2)
    expired = http.get("/contacts", headers=headers)
    assert expired.status_code == 401
    assert expired.json()["error"]["code"] == "ERR_401"
    challenge = expired.headers["www-authenticate"]
    assert 'error="invalid_token"' in challenge
    assert "expired" in challenge


def test_refresh_token_grant_rotates_the_refresh_token(
    sandbox: Sandbox, http: httpx.Client
) -> None:
    first = http.post("/oauth/token", data=_token_form(sandbox)).json()
    sandbox.controls.advance_clock(4000)  # the access token is dead, the refresh token is not
    form = _token_form(sandbox, grant_type="refresh_token", refresh_token=first["refresh_token"])
    refreshed = http.post("/oauth/token", data=form)
    assert refreshed.status_code == 200
    renewed = refreshed.json()
    assert renewed["refresh_token"] != first["refresh_token"]
    headers = {"Authorization": f"Bearer {renewed['access_token']}"}
    assert http.get("/contacts", headers=headers).status_code == 200
    reused = http.post("/oauth/token", data=form)
    assert reused.status_code == 400
    assert reused.json()["error"] == "invalid_grant"


def test_revoked_tokens_are_refused(sandbox: Sandbox, http: httpx.Client) -> None:
    issued = http.post("/oauth/token", data=_token_form(sandbox)).json()
    headers = {"Authorization": f"Bearer {issued['access_token']}"}
    assert http.post("/__harness__/tokens/revoke").status_code == 200
    refused = http.get("/contacts", headers=headers)
    assert refused.status_code == 401
    assert "revoked" in refused.headers["www-authenticate"]
    form = _token_form(sandbox, grant_type="refresh_token", refresh_token=issued["refresh_token"])
    assert http.post("/oauth/token", data=form).json()["error"] == "invalid_grant"
    fresh = http.post("/oauth/token", data=_token_form(sandbox)).json()["access_token"]
    assert http.get("/contacts", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200


def test_missing_or_garbage_tokens_are_err_401(http: httpx.Client) -> None:
    missing = http.get("/contacts")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == 'Bearer realm="acme-crm"'
    garbage = http.get("/contacts", headers={"Authorization": "Bearer nonsense"})
    assert garbage.status_code == 401
    assert garbage.json()["error"]["code"] == "ERR_401"


def test_insufficient_scope_is_403(sandbox: Sandbox, http: httpx.Client) -> None:
    token = sandbox.controls.issue_token(frozenset({"contacts.read"}))
    headers = {"Authorization": f"Bearer {token}"}
    assert http.get("/contacts", headers=headers).status_code == 200
    refused = http.post(
        "/contacts", json={"full_name": "A", "email": "a@example.com"}, headers=headers
    )
    assert refused.status_code == 403
    assert 'error="insufficient_scope"' in refused.headers["www-authenticate"]


def test_unsecured_operations_need_no_token(http: httpx.Client) -> None:
    assert http.get("/health").status_code == 200


# --- the other schemes, on copies of the acme-crm contract -------------------------------------


def _contract(tmp_path: Path, auth: str) -> Contract:
    shutil.copy(ACME / "openapi.yaml", tmp_path / "openapi.yaml")
    (tmp_path / "integration.yaml").write_text(
        "harness: 1\n"
        "info: {id: auth-variant, name: Auth variant, version: '1.0'}\n"
        "type: [rest]\n"
        "environments: {local: {}}\n"
        f"auth: {auth}\n"
        "api: {openapi: openapi.yaml}\n",
        encoding="utf-8",
    )
    return load_contract(tmp_path)


def test_api_key_scheme(tmp_path: Path) -> None:
    contract = _contract(tmp_path, '{type: api-key, header: X-Api-Key, key: "${NO_SUCH_KEY_VAR}"}')
    with running_sandbox(contract) as running:
        key = running.credentials.api_key
        assert key is not None
        good = httpx.get(f"{running.base_url}/contacts", headers={"X-Api-Key": key.reveal()})
        assert good.status_code == 200
        bad = httpx.get(f"{running.base_url}/contacts", headers={"X-Api-Key": "nope"})
        assert bad.status_code == 401
        assert running.controls.requests[-1].headers["x-api-key"] == "[redacted]"


def test_basic_scheme(tmp_path: Path) -> None:
    contract = _contract(tmp_path, '{type: basic, username: ada, password: "${NO_SUCH_PW_VAR}"}')
    with running_sandbox(contract) as running:
        password = running.credentials.password
        assert password is not None
        good = httpx.get(f"{running.base_url}/contacts", auth=("ada", password.reveal()))
        assert good.status_code == 200
        bad = httpx.get(f"{running.base_url}/contacts", auth=("ada", "wrong"))
        assert bad.status_code == 401
        assert bad.headers["www-authenticate"].startswith("Basic realm=")


def test_static_bearer_scheme(tmp_path: Path) -> None:
    contract = _contract(tmp_path, '{type: bearer, token: "${NO_SUCH_TOKEN_VAR}"}')
    with running_sandbox(contract) as running:
        token = running.credentials.token
        assert token is not None
        headers = {"Authorization": f"Bearer {token.reveal()}"}
        assert httpx.get(f"{running.base_url}/contacts", headers=headers).status_code == 200
        other = {"Authorization": "Bearer other"}
        assert httpx.get(f"{running.base_url}/contacts", headers=other).status_code == 401


def _jwt(secret: str, claims: dict[str, object]) -> str:
    def part(data: dict[str, object]) -> str:
        raw = json.dumps(data, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    signing_input = f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}"
    digest = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_jwt_scheme_checks_signature_issuer_and_expiry(tmp_path: Path) -> None:
    auth = '{type: jwt, jwt: {algorithm: HS256, secret: "${NO_SUCH_JWT_VAR}", issuer: us}}'
    contract = _contract(tmp_path, auth)
    with running_sandbox(contract) as running:
        secret = running.credentials.jwt_secret
        assert secret is not None
        now = running.controls.now()
        url = f"{running.base_url}/contacts"

        def status(token: str) -> int:
            return httpx.get(url, headers={"Authorization": f"Bearer {token}"}).status_code

        assert status(_jwt(secret.reveal(), {"iss": "us", "exp": now + 60})) == 200
        assert status(_jwt("other", {"iss": "us", "exp": now + 60})) == 401
        assert status(_jwt(secret.reveal(), {"iss": "them", "exp": now + 60})) == 401
        assert status(_jwt(secret.reveal(), {"iss": "us", "exp": now - 1})) == 401
