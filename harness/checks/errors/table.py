"""The contract's error table: which responses are judged against it, and which declared
code a response is (no I/O here)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from harness.contract import Contract
from harness.contract.model import ErrorCode
from harness.transports.exchange import Exchange
from harness.transports.sandbox_admin import ADMIN_PREFIX
from harness.transports.scrub import redact_url

#: Refusals of the HTTP layer (405 Method Not Allowed, 501 Not Implemented, for methods the
#: document does not list): judged against the error table only when it declares them.
PROTOCOL_STATUSES = frozenset({405, 501})


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorTable:
    """The declared codes, and which requests are not judged against them."""

    codes: tuple[ErrorCode, ...]
    token_path: str | None = None

    @classmethod
    def of(cls, contract: Contract) -> ErrorTable:
        token_url = contract.auth.token_url if contract.auth else None
        return cls(codes=tuple(contract.errors), token_path=_path(token_url) if token_url else None)

    def judged(self, exchange: Exchange) -> bool:
        """An error response of the API (token endpoint, admin requests and undeclared
        protocol refusals excluded)."""
        status = exchange.status
        if status is None or status < 400:
            return False
        if status in PROTOCOL_STATUSES and all(e.status != status for e in self.codes):
            return False  # an HTTP-level refusal (a method probe), not an API error
        path = _path(exchange.request.url)
        if path.startswith(ADMIN_PREFIX):
            return False
        return self.token_path is None or not path.endswith(self.token_path)

    @property
    def code_path(self) -> str | None:
        paths = [e.match.body for e in self.codes if e.match is not None and e.match.body]
        return paths[0] if paths else None


def judge_response(
    error: ErrorCode, status: int, body: Any, headers: Mapping[str, str]
) -> list[str]:
    """What differs between a response and the declared ``error``; empty when it matches."""
    problems = []
    if status != error.status:
        problems.append(f"status {status}, expected {error.status}")
    match = error.match
    if match is None:
        return problems
    expected = match.equals if match.equals is not None else error.code
    if match.body:
        found = dig(body, match.body)
        if str(found) != str(expected) or found is None:
            problems.append(f"body {match.body} is {found!r}, expected {expected!r}")
    if match.type:
        found = body.get("type") if isinstance(body, dict) else None
        if found != match.type:
            problems.append(f"problem type is {found!r}, expected {match.type!r} (RFC 9457)")
    if match.header:
        value = headers.get(match.header)
        if value != str(expected):
            problems.append(f"header {match.header} is {value!r}, expected {expected!r}")
    return problems


def observed_code(table: ErrorTable, exchange: Exchange) -> str | None:
    """The declared code this error response is, or None when it is none of them."""
    status = exchange.status
    assert status is not None
    body = exchange.json()
    headers = httpx.Headers(list(exchange.response.headers) if exchange.response else [])
    for error in table.codes:
        if error.status == status and not judge_response(error, status, body, headers):
            return error.code
    return None


def describe_exchange(
    table: ErrorTable, exchange: Exchange, secrets: Collection[str]
) -> dict[str, Any]:
    """An undeclared error as report data: the request that produced it and what came back."""
    request = exchange.request
    url = redact_url(request.url.split("?", 1)[0], secrets)
    label = f"{request.method} {url}"
    if exchange.operation_id:
        label += f" ({exchange.operation_id})"
    code = dig(exchange.json(), table.code_path) if table.code_path else None
    declared = sorted({e.code for e in table.codes if e.status == exchange.status})
    found = f"{exchange.status}"
    if code is not None:
        found += f" with {table.code_path}={code!r}"
    found += (
        f"; declared for {exchange.status}: {', '.join(declared)}"
        if declared
        else f"; no code is declared for {exchange.status}"
    )
    return {"request": label, "status": exchange.status, "code": code, "found": found}


def dig(value: Any, dotted: str) -> Any:
    """``value["error"]["code"]`` for ``error.code``; None when any step is missing."""
    for part in dotted.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def _path(url: str) -> str:
    return urlsplit(url).path or "/"
