"""A server that breaks tests/targets/buggy/integration.yaml in five distinct ways.

Used by tests/integration/test_check_buggy.py: each seeded bug must fail exactly the check
that is about it, and every other check must pass.
"""

from __future__ import annotations

import re
import secrets
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

CLIENT_ID = "buggy-client"
_ID = re.compile(r"^[a-z0-9]{1,12}$")


def problem(status: int, code: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code}}, status_code=status)


def build_app(client_secret: str) -> Starlette:
    tokens: set[str] = set()

    def authorized(request: Request) -> bool:
        header = request.headers.get("authorization", "")
        return header.startswith("Bearer ") and header[7:] in tokens

    async def token(request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        if form.get("grant_type") != "client_credentials":
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != client_secret:
            headers = {"WWW-Authenticate": 'Basic realm="buggy"'}
            return JSONResponse({"error": "invalid_client"}, status_code=401, headers=headers)
        issued = secrets.token_urlsafe(16)
        tokens.add(issued)
        body = {"access_token": issued, "token_type": "Bearer", "expires_in": 3600}
        return JSONResponse(body)

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def list_items(request: Request) -> Response:
        if not authorized(request):
            return problem(401, "ERR_401")
        return JSONResponse([{"id": "a1", "name": "Anvil", "price": "12"}])  # bug: price is text

    async def create_item(request: Request) -> Response:
        if not authorized(request):
            return problem(401, "ERR_401")
        body = await _json(request)
        if not _valid_input(body):
            return problem(400, "ERR_400")
        if any(char.isdigit() for char in body["name"]):
            return PlainTextResponse("Internal Server Error", status_code=500)  # bug
        return JSONResponse({"id": "n1", **body}, status_code=201)

    async def items(request: Request) -> Response:
        return await (create_item if request.method == "POST" else list_items)(request)

    async def get_item(request: Request) -> Response:
        if not authorized(request):
            return problem(401, "ERR_401")
        item_id = request.path_params["id"]
        if not _ID.match(item_id) or item_id == "missing":
            return problem(404, "ERR_404")
        return JSONResponse({"error": {"code": "TEAPOT"}}, status_code=418)  # bug: undocumented

    async def report(request: Request) -> Response:
        return JSONResponse({"total": 3})  # bug: no auth check at all

    async def export(request: Request) -> Response:
        if not authorized(request):
            return problem(401, "ERR_401")
        return PlainTextResponse("id,name,price\na1,Anvil,12\n", media_type="text/csv")  # bug

    return Starlette(
        routes=[
            Route("/oauth/token", token, methods=["POST"]),
            Route("/health", health),
            Route("/items", items, methods=["GET", "POST"]),  # one route: a complete Allow
            Route("/items/{id}", get_item),
            Route("/reports", report),
            Route("/export", export),
        ]
    )


async def _json(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        return None


def _valid_input(body: Any) -> bool:
    if not isinstance(body, dict) or set(body) != {"name", "price"}:
        return False
    name, price = body["name"], body["price"]
    return (
        isinstance(name, str)
        and 1 <= len(name) <= 50
        and isinstance(price, int)
        and not isinstance(price, bool)
        and 0 <= price <= 1_000_000
    )
