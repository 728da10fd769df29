"""Acme's webhooks in a team's own suite: our handler against the forgery matrix, and the
sandbox's deliveries received and verified.

``harness_webhooks.matrix(app)`` signs deliveries with the contract's scheme and sends them
to the in-process app, setting ``$ACME_WEBHOOK_SECRET`` for it while it runs.
"""

from __future__ import annotations

from typing import Any

import pytest

from suites.acme_crm.handler import app, naive_app

pytestmark = pytest.mark.harness_contract("contracts/acme-crm")


def test_a_verifying_handler_passes_the_matrix(harness_webhooks: Any) -> None:
    outcomes = harness_webhooks.matrix(app)

    failed = [outcome.message for outcome in outcomes if not outcome.passed]
    assert failed == []
    assert len(outcomes) == 9  # standard-webhooks expresses every case


def test_a_naive_handler_fails_every_forgery(harness_webhooks: Any) -> None:
    outcomes = {str(outcome.case): outcome for outcome in harness_webhooks.matrix(naive_app)}

    assert outcomes["valid"].passed
    assert outcomes["rotated_secret"].passed
    assert not outcomes["tampered_body"].passed
    assert outcomes["tampered_body"].message.startswith("handler accepted a body tampered")
    assert not any(
        outcomes[case].passed
        for case in ("wrong_secret", "missing_signature", "stale_timestamp", "replayed")
    )


def test_a_tampered_delivery_is_refused(harness_webhooks: Any) -> None:
    assert harness_webhooks.send(app).status_code == 204
    assert harness_webhooks.send(app, tampered=True).status_code == 400


def test_sandbox_deliveries_verify(
    harness_webhooks: Any, harness_sandbox: Any, harness_client: Any
) -> None:
    controls = harness_sandbox.controls
    secret = harness_sandbox.credentials.webhook_secret.reveal()
    with harness_webhooks.receiver(fail_first=True) as receiver:
        controls.subscribe(receiver.url)
        body = {"full_name": "Ada Lovelace", "email": "ada@example.com"}
        assert harness_client.call("createContact", json=body).status_code == 201
        attempts = receiver.wait_for(2, timeout=10)

    assert [attempt.status for attempt in attempts] == [500, 204]  # retried after a 500
    assert attempts[0].delivery_id == attempts[1].delivery_id
    for attempt in attempts:
        harness_webhooks.verify(attempt, secret)
