"""A server that breaks tests/targets/conformance_faults/integration.yaml on purpose.

Used by tests/integration/test_conformance_faults.py and test_conformance_parity.py: each
seeded fault must fail the conformance check of its operation, and nothing else.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

_ID = re.compile(r"^[a-z0-9]{1,12}$")
CRASH_SIZE = 7
LOST_EVERY = 3


def problem(status: int, code: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code}}, status_code=status)


class Dropped(Response):
    """Starts an answer and never finishes it: the server then closes the connection."""

    def __init__(self) -> None:
        super().__init__(status_code=200)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-length", b"100"), (b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"{", "more_body": True})


def build_app(key: str) -> Any:
    gadgets: dict[str, dict[str, Any]] = {}
    ids = itertools.count(1)

    def authorized(request: Request) -> bool:
        return request.headers.get("x-api-key") == key

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def list_gadgets(request: Request) -> Response:
        if not authorized(request):
            return problem(401, "UNAUTHORIZED")
        return JSONResponse({"data": list(gadgets.values())})  # bug: ``limit`` never validated

    async def create_gadget(request: Request) -> Response:
        if not authorized(request):
            return problem(401, "UNAUTHORIZED")
        body = await _json(request)
        if not _valid_input(body):
            return problem(400, "INVALID")
        if body["size"] == CRASH_SIZE:
            return Dropped()  # bug: the connection is dropped
        gadget = {"id": f"g{next(ids)}", **body}
        gadgets[gadget["id"]] = gadget
        return JSONResponse(gadget, status_code=201)

    async def get_gadget(request: Request) -> Response:
        if not authorized(request):
            return problem(401, "UNAUTHORIZED")
        gadget = gadgets.get(request.path_params["id"])
        if gadget is None or int(gadget["id"][1:]) % LOST_EVERY == 0:  # bug: some are lost
            return problem(404, "NOT_FOUND")
        return JSONResponse(gadget)

    async def set_label(request: Request) -> Response:
        if not authorized(request):
            return problem(401, "UNAUTHORIZED")
        body = await _json(request)
        if not isinstance(body, dict) or set(body) != {"label"}:
            return problem(400, "INVALID")
        label = body["label"]
        if not isinstance(label, str) or not 1 <= len(label) <= 20:
            return problem(400, "INVALID")
        if len(label) > 10:
            return Response("boom", status_code=500)  # bug
        if request.path_params["id"] not in gadgets:
            return problem(404, "NOT_FOUND")
        return Response(status_code=204)

    return Starlette(
        routes=[
            Route("/health", health),
            Route("/gadgets", list_gadgets, methods=["GET"]),
            Route("/gadgets", create_gadget, methods=["POST"]),
            Route("/gadgets/{id}", get_gadget, methods=["GET"]),
            Route("/gadgets/{id}/label", set_label, methods=["PUT"]),
        ]
    )


async def _json(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        return None


def _valid_input(body: Any) -> bool:
    if not isinstance(body, dict) or set(body) != {"name", "size"}:
        return False
    name, size = body["name"], body["size"]
    return (
        isinstance(name, str)
        and 1 <= len(name) <= 40
        and isinstance(size, int)
        and not isinstance(size, bool)
        and 1 <= size <= 10
    )
