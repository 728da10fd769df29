"""A contacts vendor for tests/targets/security_faults: with ``faulty`` it breaks three
promises of the contract (a PII echo in an error, an undeclared field, a drifted version);
without, it keeps them all. Used by tests/integration/test_security_faults.py.
"""

from __future__ import annotations

import itertools
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


def build_app(api_key: str, *, faulty: bool) -> Starlette:
    contacts: list[dict[str, Any]] = []
    ids = itertools.count(1)

    def refused(request: Request) -> Response | None:
        if request.headers.get("x-api-key") != api_key:
            return JSONResponse({"error": {"code": "ERR_401", "message": "no key"}}, 401)
        return None

    async def root(request: Request) -> Response:
        return JSONResponse({"service": "leaky contacts"})

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "version": "2.0.0" if faulty else "1.0.0"})

    async def list_contacts(request: Request) -> Response:
        return refused(request) or JSONResponse({"data": contacts})

    async def create_contact(request: Request) -> Response:
        if (refusal := refused(request)) is not None:
            return refusal
        body = await request.json()
        if not isinstance(body, dict) or not body.get("full_name"):
            email = body.get("email") if isinstance(body, dict) else None
            message = f"invalid contact {email}" if faulty else "full_name must not be empty"
            return JSONResponse({"error": {"code": "ERR_001", "message": message}}, 400)
        contact = {
            "external_id": f"c{next(ids)}",
            "full_name": str(body["full_name"]),
            "email": str(body.get("email", "")),
        }
        if faulty:
            contact["internal_score"] = 0.7
        contacts.append(contact)
        return JSONResponse(contact, 201)

    return Starlette(
        routes=[
            Route("/", root),
            Route("/health", health),
            Route("/contacts", list_contacts, methods=["GET"]),
            Route("/contacts", create_contact, methods=["POST"]),
        ]
    )
