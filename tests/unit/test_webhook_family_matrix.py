"""The webhooks family, pure parts: the handler matrix per scheme, judging, tampering, the
planned checks, trigger bodies, and the provider-side judgements on recorded deliveries."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness import load_contract
from harness.checks.webhooks.provider import (
    _id_problems,
    _names_event,
    _payload_problems,
    _source_problems,
    plan,
)
from harness.contract.request_examples import request_example, unique_emails
from harness.webhooks import VerificationError, verify
from harness.webhooks.receiver import Received
from harness.webhooks.sender import (
    Case,
    Planned,
    Replay,
    Send,
    judge,
    other_secret,
    plan_matrix,
    tamper,
)

ACME = Path(__file__).resolve().parents[2] / "contracts" / "acme-crm"
WHSEC = other_secret("whsec_")
HEX = other_secret("")


def _body() -> bytes:
    return json.dumps({"id": "evt_1", "type": "contact.created", "data": {}}).encode()


NO_TIMESTAMP = {Case.STALE_TIMESTAMP, Case.FUTURE_TIMESTAMP, Case.REPLAYED, Case.ROTATED_SECRET}


@pytest.mark.parametrize(
    ("scheme", "cases"),
    [
        ("standard-webhooks", set(Case)),
        ("stripe", set(Case)),
        ("slack", set(Case) - {Case.ROTATED_SECRET}),
        ("github", set(Case) - NO_TIMESTAMP),
        ("shopify", set(Case) - NO_TIMESTAMP),
    ],
    ids=["standard-webhooks", "stripe", "slack", "github", "shopify"],
)
def test_each_scheme_gets_the_cases_it_can_express(scheme: str, cases: set[Case]) -> None:
    secret = WHSEC if scheme in ("standard-webhooks", "stripe") else HEX
    plans = plan_matrix(scheme, secret, _body, tolerance_s=300)
    assert {plan.case for plan in plans} == cases


@pytest.mark.parametrize("scheme", ["standard-webhooks", "stripe", "slack", "github", "shopify"])
def test_the_matrix_verifies_exactly_where_it_should(scheme: str) -> None:
    secret = WHSEC if scheme in ("standard-webhooks", "stripe") else HEX
    for planned in plan_matrix(scheme, secret, _body, tolerance_s=300):
        send = planned.sends[-1]
        if planned.case in (Case.VALID, Case.ROTATED_SECRET, Case.REPLAYED):
            verify(scheme, secret, send.headers, send.body, tolerance_s=300)
        else:
            with pytest.raises(VerificationError):
                verify(scheme, secret, send.headers, send.body, tolerance_s=300)


def test_judging_names_what_the_handler_accepted() -> None:
    planned = Planned(case=Case.TAMPERED_BODY, sends=(Send(headers={}, body=b"{}"),))
    outcome = judge(planned, (200,))
    assert not outcome.passed
    assert outcome.message == (
        "handler accepted a body tampered after signing (answered 200); expected a 4xx rejection"
    )
    assert not judge(planned, (500,)).passed
    assert judge(planned, (401,)).passed


def test_a_replay_may_be_accepted_when_declared() -> None:
    send = Send(headers={}, body=b"{}")
    rejecting = Planned(case=Case.REPLAYED, sends=(send, send))
    accepting = Planned(case=Case.REPLAYED, sends=(send, send),
                        replay=Replay.ACCEPT_WITHOUT_PROCESSING)  # fmt: skip
    assert not judge(rejecting, (204, 204)).passed
    assert judge(accepting, (204, 204)).passed
    refused_first = judge(rejecting, (400, 409))
    assert not refused_first.passed
    assert "could not be judged" in refused_first.message


def test_tampering_changes_one_value_and_keeps_json() -> None:
    tampered = tamper(_body())
    assert tampered != _body()
    assert json.loads(tampered)["id"] == "evt_10"
    assert tamper(b"not json") == b"not json "


def test_acme_plans_three_events_and_nine_handler_cases() -> None:
    names = [check.name for check in plan(load_contract(ACME))]
    assert names[:3] == ["event[contact.created]", "event[contact.updated]", "event[deal.created]"]
    assert "handler[tampered_body]" in names
    assert len(names) == 12


def test_trigger_bodies_come_from_examples_with_unique_emails() -> None:
    contract = load_contract(ACME)
    body = request_example(contract, "createContact")
    assert body["email"] == "ada@example.com"
    assert unique_emails(body, "t0")["email"] == "ada+t0@example.com"
    assert request_example(contract, "getHealth") is None


def _received(body: bytes, webhook_id: str, status: int = 204) -> Received:
    return Received(headers={"webhook-id": webhook_id}, body=body, source_ip="127.0.0.1",
                    path="/", at=0.0, status=status)  # fmt: skip


def test_a_retry_with_a_new_id_is_reported() -> None:
    first, retry = _received(_body(), "msg_a", 500), _received(_body(), "msg_b")
    problems = _id_problems([first, retry], [first, retry], retried=True)
    assert any("changed the delivery id" in problem for problem in problems)


def test_a_reused_id_and_a_missing_retry_are_reported() -> None:
    other = json.dumps({"id": "evt_2", "type": "contact.created"}).encode()
    a, b = _received(_body(), "msg_a"), _received(other, "msg_a")
    problems = _id_problems([a, b], [a], retried=True)
    assert any("same delivery id" in problem for problem in problems)
    assert any("not retried" in problem for problem in problems)
    assert _names_event(a, "contact.created")
    assert not _names_event(a, "deal.created")


def test_a_payload_that_breaks_the_event_schema_is_reported() -> None:
    contract = load_contract(ACME)
    event = contract.webhooks.events["contact.created"]  # type: ignore[union-attr]
    bad = _received(json.dumps({"id": "nope", "type": "contact.created"}).encode(), "msg_a")
    (problem,) = _payload_problems(contract, event, [bad])
    assert problem.startswith("the payload does not match openapi.yaml#/components/schemas/")


@dataclass(frozen=True)
class _Target:
    controls: object | None


@dataclass(frozen=True)
class _Context:
    target: _Target


def test_sources_outside_allowed_ips_fail_except_loopback_on_local() -> None:
    webhooks = load_contract(ACME).webhooks
    assert webhooks is not None
    inside = dataclasses.replace(_received(b"{}", "msg_a"), source_ip="203.0.113.9")
    loopback = _received(b"{}", "msg_b")
    local, remote = _Context(_Target(object())), _Context(_Target(None))
    assert _source_problems(local, webhooks, [inside, loopback]) == []  # type: ignore[arg-type]
    (problem,) = _source_problems(remote, webhooks, [inside, loopback])  # type: ignore[arg-type]
    assert problem == "a delivery came from 127.0.0.1, outside allowed_ips (203.0.113.0/24)"
