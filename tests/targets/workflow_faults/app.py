"""The local sandbox of tests/targets/workflow_faults/integration.yaml, with one seeded fault.

``createDeal`` (``POST /deals``) answers 422 to a negative ``amount``, which the schema allows
(``^-?\\d+(\\.\\d{1,2})?$``): the ``dealForContact`` workflow must fail at its ``createDeal``
step with an input shrunk to a minimal negative amount, and ``contactLifecycle`` (which sends
no deal) must still pass. Used by tests/integration/test_workflows_faults.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from harness.auth.credentials import credentials_from_contract
from harness.contract import load_contract
from harness.sandbox import build_app as build_sandbox

CONTRACT = Path(__file__).parent / "integration.yaml"
REFUSED = {"error": {"code": "ERR_NEGATIVE", "message": "amount must not be negative"}}


def build_app() -> ASGIApp:
    """The sandbox (credentials from the contract's variables) behind the fault."""
    contract = load_contract(str(CONTRACT))
    sandbox = build_sandbox(contract, credentials=credentials_from_contract(contract))
    return NegativeAmountRefused(sandbox)


class NegativeAmountRefused:
    """Answers 422 to ``POST /deals`` with a negative amount; passes the rest on untouched."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != "/deals":
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        body = b""
        while True:
            message = await receive()
            messages.append(message)
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        if _negative(body):
            await _refuse(send)
            return
        pending = iter(messages)

        async def replay() -> Message:
            return next(pending, {"type": "http.disconnect"})

        await self.app(scope, replay, send)


def _negative(body: bytes) -> bool:
    try:
        amount = json.loads(body).get("amount")
    except (ValueError, AttributeError):
        return False
    return isinstance(amount, str) and amount.startswith("-")


async def _refuse(send: Send) -> None:
    payload = json.dumps(REFUSED).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
    ]
    await send({"type": "http.response.start", "status": 422, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
