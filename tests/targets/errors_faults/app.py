"""An items API whose error answers break tests/targets/errors_faults/integration.yaml on purpose.

  createItem  — an empty name gets 400 with code E_BAD_NAME: ERR_400 was renamed
  getItem     — an unknown id gets 410 (the code is right, the status changed from 404)
  createItem  — a duplicate name gets 409 ERR_409, as declared (the control)
Used by tests/integration/test_check_errors_retry_faults.py: each bug fails exactly its checks.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


def build_app() -> Starlette:
    names: set[str] = set()

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def create(request: Request) -> Response:
        body = await request.json()
        name = body.get("name") if isinstance(body, dict) else None
        if not isinstance(name, str) or not name:
            return _error(400, "E_BAD_NAME")  # the fault: declared as ERR_400
        if name in names:
            return _error(409, "ERR_409")
        names.add(name)
        return JSONResponse({"id": name, "name": name}, status_code=201)

    async def item(request: Request) -> Response:
        name = request.path_params["item_id"]
        if name not in names:
            return _error(410, "ERR_404")  # the fault: declared with status 404
        return JSONResponse({"id": name, "name": name})

    app = Starlette(
        routes=[
            Route("/health", health),
            Route("/items", create, methods=["POST"]),
            Route("/items/{item_id}", item),
        ]
    )
    app.state.created = names  # what was created, for tests that must create nothing
    return app


def _error(status: int, code: str) -> Response:
    return JSONResponse({"error": {"code": code, "message": code}}, status_code=status)
