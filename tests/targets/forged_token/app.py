"""A server that checks that a bearer token is present, never that it was issued.

With ``echo=True`` it checks the token but quotes refused credentials in its 401 body.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


def build_app(*, echo: bool = False) -> Starlette:
    """``echo``: check the token for real, and quote the refused header in the 401."""

    async def items(request: Request) -> Response:
        header = request.headers.get("authorization", "")
        if echo and header != "Bearer issued-token":
            return JSONResponse({"error": f"invalid credentials: {header}"}, status_code=401)
        if not header.startswith("Bearer "):
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        return JSONResponse({"items": []})

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    return Starlette(routes=[Route("/items", items), Route("/health", health)])
