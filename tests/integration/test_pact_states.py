"""The sandbox's Pact provider-state endpoint, driven the way a Pact verifier drives it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from harness import load_contract
from harness.pact.states import STATE_PATH, TOKEN_STATE
from harness.sandbox import Sandbox, format_banner, running_sandbox

ACME = Path(__file__).parents[2] / "contracts" / "acme-crm"
CONTACT = "/contacts/ct_01JB8Z6X4M2Q9R7T5V3W1Y0A8C"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(load_contract(ACME)) as running:
        yield running


@pytest.fixture
def http(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.base_url, timeout=5) as client:
        yield client


def _token(http: httpx.Client) -> str:
    answer = http.post(STATE_PATH, json={"state": TOKEN_STATE, "params": {"scopes": []}})
    assert answer.status_code == 200
    token: str = answer.json()["access_token"]
    return token


def test_setup_creates_the_resource_and_teardown_removes_it(http: httpx.Client) -> None:
    auth = {"Authorization": f"Bearer {_token(http)}"}
    change = {
        "state": "contact ct_01JB8Z6X4M2Q9R7T5V3W1Y0A8C exists",
        "params": {"path": CONTACT, "fields": {"full_name": "Ada", "email": "ada@example.com"}},
        "action": "setup",
    }
    assert http.post(STATE_PATH, json=change).status_code == 200
    contact = http.get(CONTACT, headers=auth)
    assert contact.status_code == 200
    assert contact.json()["full_name"] == "Ada"
    assert contact.json()["created_date"]  # the rest generated, so the resource conforms
    assert http.post(STATE_PATH, json={**change, "action": "teardown"}).status_code == 200
    assert http.get(CONTACT, headers=auth).status_code == 404


def test_the_token_state_starts_from_a_fresh_sandbox(http: httpx.Client) -> None:
    change = {"state": "contact ct_01JB8Z6X4M2Q9R7T5V3W1Y0A8C exists", "params": {"path": CONTACT}}
    http.post(STATE_PATH, json=change)
    auth = {"Authorization": f"Bearer {_token(http)}"}  # drops what earlier states made
    assert http.get(CONTACT, headers=auth).status_code == 404


def test_unknown_states_are_refused_saying_what_is_known(http: httpx.Client) -> None:
    answer = http.post(STATE_PATH, json={"state": "the moon is full", "action": "setup"})
    assert answer.status_code == 400
    assert TOKEN_STATE in answer.json()["error"]
    missing = http.post(STATE_PATH, json={"state": "pet 1 exists", "params": {"path": "/pets/1"}})
    assert missing.status_code == 400
    assert "/pets/1" in missing.json()["error"]


def test_states_as_query_parameters(http: httpx.Client) -> None:
    answer = http.post(STATE_PATH, params={"state": TOKEN_STATE, "action": "setup"})
    assert answer.status_code == 200
    assert answer.json()["access_token"]


def test_the_banner_prints_the_state_url(sandbox: Sandbox) -> None:
    assert f"{sandbox.base_url}{STATE_PATH}" in format_banner(sandbox)
