"""Exchange: recording, and the two ways out (excerpt, to_curl) that must never leak a secret."""

from __future__ import annotations

import json
import shlex
from typing import Any

import httpx
from hypothesis import assume, given
from hypothesis import strategies as st

from harness.transports.exchange import (
    Exchange,
    ExchangeRequest,
    ExchangeResponse,
    excerpt,
    redact_headers,
    to_curl,
)

TOKEN = "at_5Jd9kQ2mX8vL0pN4"
SECRET = "cs_s3cr3t-example-value"


def exchange(
    request: httpx.Request,
    response: httpx.Response | None = None,
    *,
    error: BaseException | None = None,
) -> Exchange:
    return Exchange.from_httpx(
        request,
        response,
        error=error,
        started_at=1_800_000_000.0,
        elapsed_s=0.0123,
        operation_id="createContact",
        attempt=2,
    )


def create_contact() -> Exchange:
    request = httpx.Request(
        "POST",
        "http://api.test/v1/contacts?page=1",
        headers={"Authorization": f"Bearer {TOKEN}", "X-API-Version": "1.0"},
        json={"full_name": "Ada Lovelace", "note": "it's"},
    )
    response = httpx.Response(
        201, json={"external_id": "c-1"}, headers={"Set-Cookie": "session=abc123def"}
    )
    return exchange(request, response)


def test_from_httpx_keeps_what_went_over_the_wire() -> None:
    recorded = create_contact()
    assert recorded.request.method == "POST"
    assert recorded.request.url == "http://api.test/v1/contacts?page=1"
    assert recorded.request.header("authorization") == f"Bearer {TOKEN}"
    assert json.loads(recorded.request.body) == {"full_name": "Ada Lovelace", "note": "it's"}
    assert recorded.status == 201
    assert recorded.json() == {"external_id": "c-1"}
    assert recorded.response is not None
    assert recorded.response.http_version == "HTTP/1.1"
    assert (recorded.operation_id, recorded.attempt) == ("createContact", 2)


def test_json_is_best_effort() -> None:
    request = httpx.Request("GET", "http://api.test/")
    assert exchange(request, httpx.Response(200, text="<html>")).json() is None
    assert exchange(request, httpx.Response(204)).json() is None
    assert exchange(request, error=httpx.ConnectError("refused")).json() is None


def test_error_exchange() -> None:
    recorded = exchange(httpx.Request("GET", "http://x/"), error=httpx.ConnectError("refused"))
    assert recorded.response is None
    assert recorded.status is None
    assert recorded.error == "ConnectError: refused"
    assert "ConnectError" in repr(recorded)


def test_repr_shows_no_header_body_or_query() -> None:
    recorded = create_contact()
    text = repr(recorded) + repr(recorded.request) + repr(recorded.response)
    assert TOKEN not in text
    assert "Ada" not in text
    assert "page=1" not in text
    assert repr(recorded) == "Exchange(#2 POST http://api.test/v1/contacts?… -> 201 in 12.3 ms)"


def test_redact_headers_by_name_and_value() -> None:
    headers = {
        "Authorization": "Bearer x",
        "cookie": "a=b",
        "X-Custom-Auth": "abc",
        "X-Trace": f"id-{SECRET}",
        "Accept": "application/json",
    }
    assert redact_headers(headers, ["x-custom-auth"], secrets=[SECRET]) == (
        ("Authorization", "[redacted]"),
        ("cookie", "[redacted]"),
        ("X-Custom-Auth", "[redacted]"),
        ("X-Trace", "id-[redacted]"),
        ("Accept", "application/json"),
    )


def test_curl_line_reproduces_the_request_with_placeholders() -> None:
    line = to_curl(create_contact(), [TOKEN])
    words = shlex.split(line)
    assert words[:5] == ["curl", "-sS", "-X", "POST", "http://api.test/v1/contacts?page=1"]
    assert "Authorization: Bearer ${TOKEN}" in words
    assert "X-API-Version: 1.0" in words
    assert not any(word.lower().startswith(("host:", "content-length:")) for word in words)
    body = words[words.index("--data-binary") + 1]
    assert json.loads(body) == {"full_name": "Ada Lovelace", "note": "it's"}
    assert TOKEN not in line


def test_curl_line_expands_named_secrets_as_variables() -> None:
    request = httpx.Request(
        "POST",
        "http://api.test/v1/oauth/token",
        headers={"X-Client-Secret": SECRET},
        content=f"grant={SECRET}".encode(),
    )
    line = to_curl(exchange(request), {"ACME_CLIENT_SECRET": SECRET})
    assert SECRET not in line
    assert "'X-Client-Secret: '\"${ACME_CLIENT_SECRET}\"" in line
    assert shlex.split(line)[-1] == "grant=${ACME_CLIENT_SECRET}"


def test_curl_line_with_a_binary_body() -> None:
    request = httpx.Request("PUT", "http://api.test/file", content=b"\x00\x01\x02")
    assert to_curl(exchange(request), []).endswith("--data-binary @request-body.bin")


def test_excerpt_is_json_safe_truncated_and_without_credentials() -> None:
    request = httpx.Request(
        "POST", "http://api.test/v1/contacts", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    response = httpx.Response(400, json={"error": {"code": "ERR_001"}, "pad": "x" * 100})
    evidence = excerpt(exchange(request, response), [TOKEN], limit=40)
    assert json.loads(json.dumps(evidence)) == evidence
    assert evidence["request"]["headers"]["Authorization"] == "[redacted]"
    assert evidence["response"]["status"] == 400
    assert evidence["response"]["body"].startswith('{"error": {"code": "ERR_001"}')
    assert evidence["response"]["body"].endswith("more characters]")
    assert evidence["elapsed_ms"] == 12.3
    assert evidence["operation_id"] == "createContact"
    assert TOKEN not in json.dumps(evidence)


def test_excerpt_removes_oauth_fields_by_name() -> None:
    request = httpx.Request(
        "POST",
        "http://api.test/oauth/token",
        data={"grant_type": "client_credentials", "client_secret": SECRET},
    )
    response = httpx.Response(200, json={"access_token": TOKEN, "refresh_token": "rt-1234567"})
    text = json.dumps(excerpt(exchange(request, response), []))
    for value in (SECRET, TOKEN, "rt-1234567"):
        assert value not in text


# --- No secret survives, wherever it was planted ----------------------------------------------

SECRET_TEXT = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E) | st.sampled_from(" éß€"),
    min_size=8,
    max_size=24,
)


def planted(secret: str, where: str) -> Exchange:
    options: dict[str, Any] = {"headers": {"Accept": "application/json"}}
    if where == "query":
        options["params"] = {"q": secret, "page": "1"}
    elif where == "header":
        options["headers"]["X-Trace"] = f"trace {secret}"
    elif where == "auth-header":
        options["headers"]["X-Api-Key"] = secret
    elif where == "json":
        options["json"] = {"name": secret, "nested": [{"v": secret}]}
    elif where == "form":
        options["data"] = {"field": secret}
    elif where == "text":
        options["content"] = f"before {secret} after"
    request = httpx.Request("POST", "http://api.test/v1/things", **options)
    if where == "response":
        response = httpx.Response(500, json={"echo": secret}, headers={"X-Echo": secret})
    else:
        response = httpx.Response(200, json={"ok": True})
    return exchange(request, response, error=None)


@given(
    secret=SECRET_TEXT,
    where=st.sampled_from(["query", "header", "auth-header", "json", "form", "text", "response"]),
    named=st.booleans(),
)
def test_no_planted_secret_survives(secret: str, where: str, named: bool) -> None:
    assume(secret.strip() == secret)  # header values are stripped of outer spaces
    assume(secret.isascii() or where in {"query", "json", "form", "text"})  # ASCII headers
    assume(secret not in "[redacted]" and "redacted" not in secret)
    # Numbers and names the evidence holds anyway (a timestamp has "00000000" in it).
    assume(secret not in json.dumps(excerpt(planted("-", "none"), [])))
    recorded = planted(secret, where)
    secrets: Any = {"PLANTED": secret} if named else [secret]
    line = to_curl(recorded, secrets)
    evidence = json.dumps(excerpt(recorded, [secret], limit=50), ensure_ascii=False)
    for text in (line, evidence):
        assert secret not in text
    assert secret not in shlex.split(line)  # not even once the shell has unquoted it


def test_planted_secret_error_text_is_scrubbed() -> None:
    recorded = exchange(
        httpx.Request("GET", "http://api.test/"), error=httpx.ConnectError(f"refused {SECRET}")
    )
    assert SECRET not in json.dumps(excerpt(recorded, [SECRET]))


def test_exchange_parts_are_constructible_directly() -> None:
    recorded = Exchange(
        request=ExchangeRequest(method="GET", url="http://x/"),
        response=ExchangeResponse(status=204),
        started_at=0.0,
        elapsed_s=0.0,
    )
    assert recorded.status == 204
    assert to_curl(recorded, []) == "curl -sS -X GET http://x/"
