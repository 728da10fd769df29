"""The webhooks family end to end: events from the local sandbox, and the handler matrix
against in-process apps and a real server on a free port."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import harness
from harness import load_contract
from harness.contract import Contract
from harness.results import CheckResult, Outcome
from harness.webhooks.sender import other_secret
from tests.support.servers import serve

ACME = Path(__file__).resolve().parents[2] / "contracts" / "acme-crm"


def _with_handler(contract: Contract, *, url: str | None, app: str | None) -> Contract:
    webhooks = contract.webhooks
    assert webhooks is not None
    assert webhooks.handler is not None
    handler = dataclasses.replace(webhooks.handler, url=url, app=app)
    return dataclasses.replace(contract, webhooks=dataclasses.replace(webhooks, handler=handler))


def _run(contract: Contract, prefix: str = "") -> dict[str, CheckResult]:
    result = harness.check(contract, families={"webhooks"}, seed=3)
    return {r.name: r for r in result.of("webhooks") if r.name.startswith(prefix)}


@pytest.fixture
def secret(monkeypatch: pytest.MonkeyPatch) -> str:
    value = other_secret("whsec_")
    monkeypatch.setenv("ACME_WEBHOOK_SECRET", value)
    return value


def test_sandbox_events_arrive_signed_valid_and_retried() -> None:
    results = _run(load_contract(ACME), "event")

    assert {name: r.outcome for name, r in results.items()} == {
        "event[contact.created]": Outcome.PASSED,
        "event[contact.updated]": Outcome.PASSED,
        "event[deal.created]": Outcome.PASSED,
    }
    created = results["event[contact.created]"]
    assert [attempt["status"] for attempt in created.data["attempts"]] == [500, 204]
    assert len({attempt["id"] for attempt in created.data["attempts"]}) == 1


def test_a_naive_in_process_handler_fails_every_forgery() -> None:
    contract = _with_handler(
        load_contract(ACME), url="http://x/webhooks/acme", app="suites.acme_crm.handler:naive_app"
    )
    results = _run(contract, "handler")

    passed = {name for name, r in results.items() if r.outcome is Outcome.PASSED}
    assert passed == {"handler[valid]", "handler[rotated_secret]"}
    assert results["handler[tampered_body]"].message.startswith(
        "handler accepted a body tampered after signing (answered 204)"
    )


def test_a_handler_url_gets_the_matrix(secret: str) -> None:
    from suites.acme_crm.handler import app

    with serve(app, ready_path="/webhooks/acme") as base_url:
        contract = _with_handler(load_contract(ACME), url=base_url + "/webhooks/acme", app=None)
        results = _run(contract, "handler")

    assert len(results) == 9
    assert all(r.outcome is Outcome.PASSED for r in results.values()), results


def test_a_handler_url_without_its_secret_is_skipped_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ACME_WEBHOOK_SECRET", raising=False)
    contract = _with_handler(load_contract(ACME), url="http://127.0.0.1:9/hook", app=None)
    result = _run(contract, "handler[valid]")["handler[valid]"]

    assert result.outcome is Outcome.SKIPPED
    assert "${ACME_WEBHOOK_SECRET} is not set" in result.message


def test_an_unreachable_handler_is_an_error_of_the_run(secret: str) -> None:
    contract = _with_handler(load_contract(ACME), url="http://127.0.0.1:9/hook", app=None)
    result = _run(contract, "handler[valid]")["handler[valid]"]

    assert result.outcome is Outcome.ERROR
    assert "handler unreachable at http://127.0.0.1:9/hook" in result.message
    assert secret not in result.message


def test_a_wsgi_handler_runs_in_process_and_a_plain_receiver_records() -> None:
    from harness.webhooks.kit import WebhookKit

    def naive(environ: dict[str, object], start_response: object) -> list[bytes]:
        start_response("204 No Content", [])  # type: ignore[operator]
        return [b""]

    kit = WebhookKit(load_contract(ACME))
    outcomes = {str(o.case): o.passed for o in kit.matrix(naive)}
    assert outcomes["valid"]
    assert not outcomes["wrong_secret"]

    import httpx

    with kit.receiver() as receiver:
        httpx.post(receiver.url, content=b'{"id":"evt_1"}', headers={"webhook-id": "msg_1"})
        (got,) = receiver.wait_for(1, timeout=5)
    assert got.status == 204
    assert got.delivery_id == "msg_1"
    assert got.source_ip == "127.0.0.1"
