"""An example webhook handler for Acme CRM's Standard Webhooks events (Starlette).

``app`` verifies every delivery before it does anything: the signature over the raw body
with the secret from ``$ACME_WEBHOOK_SECRET`` (read per request, so rotation needs no
restart), the timestamp within 5 minutes, and a delivery id it has not processed yet.
``naive_app`` is what not to write: it trusts whatever arrives.
"""

from __future__ import annotations

import os

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from harness.webhooks import VerificationError, verify

SECRET_VAR = "ACME_WEBHOOK_SECRET"
_processed: set[str] = set()  # a real handler keeps these in its database


async def receive(request: Request) -> Response:
    body = await request.body()  # verify the raw bytes, never re-serialised JSON
    try:
        verify("standard-webhooks", os.environ[SECRET_VAR], request.headers, body, tolerance_s=300)
    except VerificationError:
        return Response(status_code=400)
    delivery_id = request.headers["webhook-id"]
    if delivery_id in _processed:
        return Response(status_code=409)  # a replay: already processed
    _processed.add(delivery_id)
    return Response(status_code=204)


async def trust_everything(request: Request) -> Response:
    await request.body()
    return Response(status_code=204)


app = Starlette(routes=[Route("/webhooks/acme", receive, methods=["POST"])])
naive_app = Starlette(routes=[Route("/webhooks/acme", trust_everything, methods=["POST"])])
