"""The widgets API behind an API key that stops working after a number of requests.

Used by tests/integration/test_conformance_auth_schemes.py: a run whose credentials break
mid-run must say so, never report the 401s that follow as passes.
"""

from __future__ import annotations

import itertools

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


def build_app(key: str, *, accepted: int) -> Starlette:
    """Answers the first ``accepted`` keyed requests, then refuses the key (401)."""
    counter = itertools.count(1)

    async def list_widgets(request: Request) -> Response:
        if request.headers.get("x-api-key") != key or next(counter) > accepted:
            return JSONResponse({"error": {"code": "UNAUTHORIZED"}}, status_code=401)
        return JSONResponse({"data": []})

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[Route("/widgets", list_widgets, methods=["GET"]), Route("/health", health)]
    )
