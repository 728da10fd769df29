"""``retry::idempotency_honoured``: the provider replays a POST retried with the same key.

A client that lost the answer to a POST retries it with the same idempotency key (the
contract's ``retry.idempotency_header``); the provider must answer the retry as it answered
the first request, not create the record twice. Harness sends a documented request-body
example (its e-mail addresses made unique, so earlier data cannot collide) twice with one
key, and compares the two answers: same status, same body.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

import httpx

from harness.checks.base import CheckRuntime, Verdict, inconclusive
from harness.contract import Contract
from harness.errors import CheckFailure
from harness.transports.scrub import response_excerpt


def creating_operation(contract: Contract) -> tuple[str, dict[str, Any]] | None:
    """A POST without path parameters and a documented JSON body example, and the example."""
    if contract.document is None:
        return None
    token_url = contract.auth.token_url if contract.auth else None
    for operation in contract.document.operations.values():
        if operation.method != "post" or operation.path_parameters or operation.path == token_url:
            continue
        example = _body_example(operation.definition)
        if example is not None:
            return operation.operation_id, example
    return None


def _body_example(definition: Mapping[str, Any]) -> dict[str, Any] | None:
    body = definition.get("requestBody")
    content = body.get("content") if isinstance(body, dict) else None
    media = content.get("application/json") if isinstance(content, dict) else None
    if not isinstance(media, dict):
        return None
    if isinstance(media.get("example"), dict):
        return dict(media["example"])
    for example in (media.get("examples") or {}).values():
        if isinstance(example, dict) and isinstance(example.get("value"), dict):
            return dict(example["value"])
    return None


def _unique(body: dict[str, Any], tag: str) -> dict[str, Any]:
    """``body`` with each e-mail address made unique to this check."""
    return {
        key: f"{tag}.{value}" if isinstance(value, str) and "@" in value else value
        for key, value in body.items()
    }


def check_idempotency_honoured(context: CheckRuntime) -> Verdict:
    retry = context.contract.retry
    assert retry is not None  # planned only with a retry section
    assert retry.idempotency_header is not None  # and an idempotency header
    found = creating_operation(context.contract)
    if found is None:
        return inconclusive("no POST with a documented JSON request-body example to send twice")
    operation, example = found
    body = _unique(example, f"idem-{uuid.uuid4().hex[:8]}")
    key = f"harness-{uuid.uuid4()}"
    client = context.client(retry=False)
    first = client.call(operation, json=body, idempotency_key=key)
    if first.status_code >= 300:
        return inconclusive(
            f"{operation}: the documented example got {first.status_code}, not a 2xx; "
            "nothing was created to replay"
        )
    second = client.call(operation, json=body, idempotency_key=key)
    data: dict[str, Any] = {
        "operation": operation,
        "header": retry.idempotency_header,
        "statuses": [first.status_code, second.status_code],
    }
    if second.status_code != first.status_code or _body(second) != _body(first):
        raise CheckFailure(
            f"{operation} sent twice with the same {retry.idempotency_header} got "
            f"{first.status_code} then {second.status_code}"
            + (" with a different body" if second.status_code == first.status_code else "")
            + f": the retry was not answered as the first request (contract {retry.loc}). "
            "A client retrying after a lost answer would create a duplicate; replay the "
            "first answer for a repeated key",
            evidence=tuple(
                response_excerpt(r, context.secrets(), limit=400) for r in (first, second)
            ),
            data=data,
        )
    return Verdict(
        message=f"{operation} retried with the same {retry.idempotency_header}: "
        f"{second.status_code}, the first answer replayed",
        data=data,
    )


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (ValueError, json.JSONDecodeError):
        return response.content
