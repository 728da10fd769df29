"""Tokens a server issues during a run join the run's secrets, and leave no output file."""

from __future__ import annotations

import json
import threading

import httpx

from harness.transports.scrub import REDACTED, IssuedSecrets, issued_values, redact_value

TOKEN = "tok-" + "a1b2c3d4" * 4
REFRESH = "ref-" + "e5f6a7b8" * 4


def _token_body() -> bytes:
    body = {"access_token": TOKEN, "refresh_token": REFRESH, "token_type": "Bearer"}
    return json.dumps(body).encode()


def test_issued_values_reads_json_at_any_depth_and_forms() -> None:
    assert issued_values(_token_body(), "application/json") == {TOKEN, REFRESH}
    nested = json.dumps({"data": [{"session": {"id_token": TOKEN}}]}).encode()
    assert issued_values(nested, "application/vnd.x+json; charset=utf-8") == {TOKEN}
    form = f"access_token={TOKEN}&token_type=bearer".encode()
    assert issued_values(form, "application/x-www-form-urlencoded") == {TOKEN}


def test_bodies_that_issue_nothing_give_nothing() -> None:
    assert issued_values(b'{"items": []}', "application/json") == frozenset()
    assert issued_values(b'{"access_token": 12}', "application/json") == frozenset()
    assert issued_values(b"access_token not json", "application/json") == frozenset()


def test_a_response_hook_collects_what_any_probe_was_issued() -> None:
    issued = IssuedSecrets()

    def token_endpoint(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, content=_token_body(), headers={"content-type": "application/json"}
        )

    transport = httpx.MockTransport(token_endpoint)  # a stand-in server, not our code
    with httpx.Client(
        transport=transport, event_hooks={"response": [issued.on_response]}
    ) as client:
        response = client.post("http://vendor.test/oauth/token", data={"client_secret": "wrong"})
    assert response.json()["access_token"] == TOKEN  # the body stays readable after the hook
    assert issued.values() == {TOKEN, REFRESH}


def test_issued_secrets_are_thread_safe() -> None:
    issued = IssuedSecrets()
    threads = [threading.Thread(target=issued.add, args=([f"token-{n:04d}"],)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(issued.values()) == 50


def test_redact_value_removes_secrets_from_every_string_of_data() -> None:
    data = {
        "observed": [{"body": f"served to {TOKEN}"}, ("x", TOKEN)],
        TOKEN: 3,
        "count": 3,
        "none": None,
    }
    cleaned = redact_value(data, {TOKEN})
    assert TOKEN not in json.dumps(cleaned)
    assert cleaned["observed"][0]["body"] == f"served to {REDACTED}"
    assert cleaned["observed"][1] == ("x", REDACTED)
    assert cleaned[REDACTED] == 3
    assert cleaned["count"] == 3
    assert cleaned["none"] is None
