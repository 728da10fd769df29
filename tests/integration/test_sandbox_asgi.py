"""The in-process path: the sandbox app behind ``httpx.ASGITransport``, no socket at all."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from harness import load_contract
from harness.sandbox import Fault, build_app

ROOT = Path(__file__).resolve().parents[2]
ACME = ROOT / "contracts" / "acme-crm"


def test_token_create_and_read_in_process() -> None:
    app = build_app(load_contract(ACME), seed=3)
    secret = app.credentials.client_secret
    assert secret is not None

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
            form = {
                "grant_type": "client_credentials",
                "client_id": app.credentials.client_id or "",
                "client_secret": secret.reveal(),
            }
            token = (await client.post("/oauth/token", data=form)).json()["access_token"]
            client.headers["Authorization"] = f"Bearer {token}"
            body = {"full_name": "Ada", "email": "ada@example.com"}
            created = await client.post("/contacts", json=body)
            assert created.status_code == 201
            read = await client.get(created.headers["location"])
            assert read.json() == created.json()
            app.controls.inject(Fault.burst(503, 1))
            assert (await client.get("/contacts")).status_code == 503
            app.controls.inject(Fault.drop(1))
            with pytest.raises(httpx.RemoteProtocolError):
                await client.get("/contacts")

    asyncio.run(scenario())
    assert [r.operation_id for r in app.controls.requests] == [
        "getToken",
        "createContact",
        "getContact",
        "listContacts",
        "listContacts",
    ]
    app.close()
