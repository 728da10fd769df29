"""Planted secrets in a record run against the local sandbox: none survives in the cassette."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from harness.checks.base import Check, CheckRuntime
from harness.contract import load_contract
from harness.errors import Location
from harness.results import Outcome
from harness.runner import ContractRun, run_check
from harness.settings import Mode, RunSettings
from harness.transports.cassette import Cassette, Interaction
from harness.transports.cassette_scrub import Scrubber, encoded_forms
from harness.transports.cassette_session import write_verified

ACME = Path(__file__).parents[2] / "contracts" / "acme-crm"
CLIENT_SECRET = 'pl4nted/Client"Secret+value'
WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"planted-webhook-secret-bytes!!").decode()
OTHER = "planted-assertion-9f8e7d6c"


def _b64(text: str, *, url: bool = False, pad: bool = True) -> str:
    encode = base64.urlsafe_b64encode if url else base64.b64encode
    out = encode(text.encode()).decode()
    return out if pad else out.rstrip("=")


def _plant(context: CheckRuntime) -> None:
    """More than twenty kinds of secret: headers, query, userinfo, JSON, form, text bodies."""
    client = context.client()
    client.call("listContacts")  # OAuth: the issued token and the client secret, for real
    http = context.http()
    s, w = CLIENT_SECRET, WEBHOOK_SECRET
    for headers in (
        {"Authorization": f"Bearer {s}"},
        {"Authorization": "Basic " + _b64(f"harness-local:{s}")},
        {"Cookie": f"session={s}"},
        {"X-API-Key": s},
        {"X-Custom": s},
        {"X-Signature": w},
        {"X-Encoded": _b64(s, url=True, pad=False)},
    ):
        http.get("/health", headers=headers)
    for params in ({"access_token": s}, {"q": s}, {"h": s.encode().hex()}, {"sig": w}):
        http.get("/health", params=params)
    base = context.target.base_url.replace("http://", f"http://user:{quote(s, safe='')}@")
    httpx.Client(transport=http._transport).get(base + "/health")
    charset = {"Content-Type": "application/json; charset=utf-8"}
    for body in (
        {"client_secret": s},
        {"a": {"b": [{"refresh_token": w}]}},
        {"note": s},
        {"note": _b64(s)},
        {"note": _b64(s, url=True)},
        {"id_token": OTHER, "client_assertion": OTHER + "x"},
    ):
        http.post("/contacts", content=json.dumps(body), headers=charset)
    http.post("/oauth/token", data={"client_secret": s, "client_assertion": OTHER, "x": w})
    for text in (s.encode().hex(), quote(s, safe=""), json.dumps(s)):
        http.post("/contacts", content=text, headers={"Content-Type": "text/plain"})
    client.call("createContact", json={"full_name": s, "email": "ada@example.com"})


def test_no_planted_secret_survives_in_the_cassette(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACME_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("ACME_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setenv("HARNESS_CASSETTES", str(tmp_path))
    contract = load_contract(ACME)
    run = ContractRun(contract, RunSettings(mode=Mode.RECORD, seed=1))
    check = Check(
        family="security",
        name="planted",
        run=_plant,
        description="plants secrets",
        loc=Location(file="x", line=1, column=1),
    )
    try:
        result = run_check(run, check, "planted")
        secrets = run.secrets() | {OTHER}
    finally:
        run.close()
    assert result.outcome is Outcome.PASSED, result.message
    text = (tmp_path / "acme-crm" / "security" / "planted.yaml").read_text()
    survivors = [
        (name, form[:3])
        for secret in secrets
        for name, form in encoded_forms(secret, "harness-local")
        if len(form) >= 6 and form in text
    ]
    assert survivors == []
    assert len(secrets) >= 3  # the client secret, the webhook secret, the issued token(s)
    assert "<SECRET:CLIENT_SECRET>" in text
    assert "<TOKEN:1>" in text


def test_a_surviving_secret_stops_the_write_and_names_the_place(tmp_path: Path) -> None:
    secret = "a-very-secret-value"
    leaky = Interaction(method="GET", uri="http://x/", response_body=_b64(secret))
    path = tmp_path / "c.yaml"
    problem = write_verified(path, Cassette(interactions=(leaky,)), {secret}, None)
    assert problem is not None
    assert "interaction 0, response.body (base64 form)" in problem
    assert secret not in problem
    assert list(tmp_path.iterdir()) == []  # neither the cassette nor a temp file


def test_set_cookie_and_pii_get_stable_placeholders() -> None:
    scrubber = Scrubber({}, pii_fields=["email", "full_name"])
    item = Interaction(
        method="POST",
        uri="http://x/contacts",
        request_headers={"content-type": ["application/json"]},
        request_body='{"email": "ada@example.com", "full_name": "Ada Lovelace"}',
        response_headers={"set-cookie": ["sid=abcdef123456"], "content-type": ["application/json"]},
        response_body='{"email": "ada@example.com", "detail": "Ada Lovelace exists"}',
    )
    out = scrubber.interaction(item)
    assert out.response_headers["set-cookie"] == ["<SECRET:set-cookie:1>"]
    assert json.loads(str(out.request_body))["email"] == "pii-1@example.invalid"
    assert "Ada Lovelace" not in str(out.response_body)
    assert json.loads(str(out.response_body))["email"] == "pii-1@example.invalid"


def test_tokens_issued_in_turn_get_distinct_placeholders_in_order_of_appearance() -> None:
    """A renewed token must not replay as the one it replaced (same name, other value)."""
    first, second = "tok-first-0123456789", "tok-second-0123456789"
    scrubber = Scrubber({second: "ISSUED", first: "ISSUED", "client-secret-value": "SECRET"})
    issued = [
        Interaction(
            method="POST",
            uri="http://x/oauth/token",
            response_headers={"content-type": ["application/json"]},
            response_body=json.dumps({"access_token": token, "expires_in": 60}),
        )
        for token in (first, second)
    ]
    bearer = {"authorization": [f"Bearer {second}"]}
    used = Interaction(method="GET", uri="http://x/contacts", request_headers=bearer)
    out = [scrubber.interaction(item) for item in (*issued, used)]
    tokens = [json.loads(str(item.response_body))["access_token"] for item in out[:2]]
    assert tokens == ["<SECRET:ISSUED:1>", "<SECRET:ISSUED:2>"]
    assert out[2].request_headers["authorization"] == ["Bearer <SECRET:ISSUED:2>"]
