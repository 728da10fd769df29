"""The sandbox over a real socket: stateful CRUD, pagination, validation and declared errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from harness import load_contract
from harness.contract import Contract
from harness.sandbox import ADMIN_PREFIX, Sandbox, format_banner, running_sandbox

ROOT = Path(__file__).resolve().parents[2]
ACME = ROOT / "contracts" / "acme-crm"


@pytest.fixture(scope="module")
def contract() -> Contract:
    return load_contract(ACME)


@pytest.fixture(scope="module")
def sandbox(contract: Contract) -> Iterator[Sandbox]:
    with running_sandbox(contract, enforce_rate_limits=False) as running:
        yield running


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[httpx.Client]:
    sandbox.controls.reset()
    token = sandbox.controls.issue_token()
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=sandbox.base_url, headers=headers, timeout=10) as http:
        yield http


def _create(client: httpx.Client, name: str, email: str) -> dict[str, object]:
    response = client.post("/contacts", json={"full_name": name, "email": email})
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_create_read_update_patch_delete(client: httpx.Client) -> None:
    created = _create(client, "Ada Lovelace", "ada@example.com")
    path = f"/contacts/{created['external_id']}"
    assert str(created["external_id"]).startswith("ct_")
    assert created["phone"] is None
    assert created["company"] is None
    assert created["created_date"] == created["updated_date"]

    assert client.get(path).json() == created

    replaced = client.put(path, json={"full_name": "Ada King", "email": "ada@example.com"})
    assert replaced.status_code == 200
    assert replaced.json()["full_name"] == "Ada King"
    assert replaced.json()["created_date"] == created["created_date"]

    patched = client.patch(path, json={"company": "Analytical Engines Ltd"})
    assert patched.json()["company"] == "Analytical Engines Ltd"
    assert patched.json()["full_name"] == "Ada King"

    assert client.delete(path).status_code == 204
    gone = client.get(path)
    assert gone.status_code == 404
    assert gone.json()["error"]["code"] == "ERR_404"


def test_create_answers_location_and_rate_limit_headers(client: httpx.Client) -> None:
    response = client.post("/contacts", json={"full_name": "Grace", "email": "grace@example.com"})
    location = response.headers["location"]
    assert location == f"/contacts/{response.json()['external_id']}"
    assert client.get(location).status_code == 200
    assert {"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"} <= set(
        response.headers
    )


def test_list_paginates_and_filters(client: httpx.Client) -> None:
    for index in range(5):
        _create(client, f"Person {index}", f"p{index}@example.com")
    first = client.get("/contacts", params={"per_page": 2}).json()
    assert [item["email"] for item in first["data"]] == ["p0@example.com", "p1@example.com"]
    assert first | {"data": None} == {
        "data": None,
        "page": 1,
        "per_page": 2,
        "total": 5,
        "next_page": 2,
    }
    last = client.get("/contacts", params={"per_page": 2, "page": 3}).json()
    assert len(last["data"]) == 1
    assert last["next_page"] is None
    found = client.get("/contacts", params={"email": "P3@example.com"}).json()
    assert [item["email"] for item in found["data"]] == ["p3@example.com"]


def test_invalid_body_gets_err_001_problem(client: httpx.Client) -> None:
    response = client.post("/contacts", json={"full_name": "No email"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["error"]["code"] == "ERR_001"
    assert body["status"] == 400
    assert "email" in body["detail"]


def test_malformed_json_and_bad_query_are_400_not_500(client: httpx.Client) -> None:
    broken = client.post(
        "/contacts", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 400
    assert broken.json()["error"]["code"] == "ERR_001"
    assert client.get("/contacts", params={"per_page": 0}).status_code == 400
    assert client.get("/contacts", params={"page": "first"}).status_code == 400


def test_wrongly_shaped_id_is_404_as_documented(client: httpx.Client) -> None:
    response = client.get("/contacts/not-an-id")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "ERR_404"


@pytest.mark.parametrize(
    "code", [e.code for e in load_contract(ACME).errors if e.trigger is not None]
)
def test_every_declared_trigger_produces_its_error(
    contract: Contract, sandbox: Sandbox, client: httpx.Client, code: str
) -> None:
    error = contract.error(code)
    trigger = error.trigger
    assert trigger is not None
    op = contract.operation(trigger.operation)
    path = op.path
    for name, value in trigger.path.items():
        path = path.replace("{" + name + "}", str(value))
    headers = dict(trigger.headers)
    if trigger.auth == "none":
        client.headers.pop("Authorization")
    response = None
    for _ in range(trigger.repeat):
        response = client.request(
            op.method.upper(),
            path,
            params=dict(trigger.query),
            json=trigger.body,
            headers=headers,
        )
    assert response is not None
    assert response.status_code == error.status, response.text
    assert error.match is not None
    assert error.match.body == "error.code"
    assert response.json()["error"]["code"] == code


def test_duplicate_email_is_a_conflict_whatever_the_name(client: httpx.Client) -> None:
    _create(client, "Ada", "same@example.com")
    second = client.post("/contacts", json={"full_name": "Other", "email": "SAME@example.com"})
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "ERR_002"


def test_idempotency_key_replays_the_first_answer(client: httpx.Client) -> None:
    headers = {"Idempotency-Key": "k-1"}
    body = {"full_name": "Ada", "email": "idem@example.com"}
    first = client.post("/contacts", json=body, headers=headers)
    again = client.post("/contacts", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert client.get("/contacts").json()["total"] == 1


def test_deals_round_trip_with_enums_and_nullable_refs(client: httpx.Client) -> None:
    body = {"name": "Support", "amount": "12.50", "currency": "GBP", "status": "OPEN"}
    created = client.post("/deals", json=body)
    assert created.status_code == 201
    deal = created.json()
    assert deal["contact_id"] is None
    assert deal["close_date"] is None
    assert client.get(f"/deals/{deal['deal_id']}").json() == deal
    assert client.get("/deals", params={"status": "CLOSED_WON"}).json()["data"] == []


def test_served_openapi_points_at_the_sandbox_and_hides_the_admin_api(
    sandbox: Sandbox, client: httpx.Client
) -> None:
    document = client.get(f"{ADMIN_PREFIX}/openapi.json").json()
    assert document["servers"] == [{"url": sandbox.base_url}]
    assert not any(path.startswith(ADMIN_PREFIX) for path in document["paths"])
    assert "/contacts/{external_id}" in document["paths"]


def test_health_is_public_and_documented(sandbox: Sandbox) -> None:
    response = httpx.get(f"{sandbox.base_url}/health")
    assert response.status_code == 200
    assert response.json()["status"] in ("ok", "degraded")


def test_banner_shows_url_credentials_and_working_curl_lines(sandbox: Sandbox) -> None:
    banner = format_banner(sandbox)
    secret = sandbox.credentials.client_secret
    assert secret is not None
    assert sandbox.base_url in banner
    assert f"client_id       {sandbox.credentials.client_id}" in banner
    assert secret.reveal() in banner
    assert f"curl -s -X POST {sandbox.base_url}/oauth/token" in banner
    assert f'curl -s {sandbox.base_url}/contacts -H "Authorization: Bearer $TOKEN"' in banner


def test_generated_ids_are_deterministic_per_seed(contract: Contract) -> None:
    ids = []
    for seed in (7, 7, 8):
        with running_sandbox(contract, seed=seed) as running:
            headers = {"Authorization": f"Bearer {running.controls.issue_token()}"}
            body = {"full_name": "Ada", "email": "ada@example.com"}
            response = httpx.post(f"{running.base_url}/contacts", json=body, headers=headers)
            ids.append(response.json()["external_id"])
    assert ids[0] == ids[1]
    assert ids[0] != ids[2]


def test_a_deal_for_an_unknown_contact_is_the_documented_422(client: httpx.Client) -> None:
    deal = {"name": "D", "amount": "1.00", "currency": "USD", "status": "OPEN"}
    unknown = client.post("/deals", json=deal | {"contact_id": "ct_01JB8Z6X4M2Q9R7T5V3W1Y0A8C"})
    assert unknown.status_code == 422
    assert unknown.json()["error"]["code"] == "ERR_003"  # from the document's own example
    contact = _create(client, "Ada", "ada@example.com")
    linked = client.post("/deals", json=deal | {"contact_id": contact["external_id"]})
    assert linked.status_code == 201
