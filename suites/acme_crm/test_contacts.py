"""An example of a team's own suite, using harness's fixtures against the local sandbox.

Run with ``python -m pytest suites/``. The contract comes from the marker; the sandbox is
started fresh for each test on a free loopback port; ``harness_client`` carries the token.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.sandbox import Fault

pytestmark = pytest.mark.harness_contract("contracts/acme-crm")


def test_created_contact_can_be_read_back(harness_client: Any) -> None:
    created = harness_client.call(
        "createContact", json={"full_name": "Ada Lovelace", "email": "ada@example.com"}
    )
    assert created.status_code == 201
    contact_id = created.json()["external_id"]

    fetched = harness_client.call("getContact", path_params={"external_id": contact_id})

    assert fetched.status_code == 200
    assert fetched.json()["full_name"] == "Ada Lovelace"


def test_client_retries_through_a_503_burst(harness_client: Any, harness_sandbox: Any) -> None:
    harness_sandbox.controls.inject(Fault.burst(503, 2, retry_after_s=0, operation="listContacts"))

    response = harness_client.call("listContacts")

    assert response.status_code == 200
    log = harness_sandbox.controls.requests
    statuses = [entry.status for entry in log if entry.operation_id == "listContacts"]
    assert statuses == [503, 503, 200]
