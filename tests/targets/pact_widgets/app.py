"""A widget provider with two seeded bugs (see integration.yaml), and its own Pact
provider-state endpoint (``POST /_pact/states``: ``widget <id> exists``)."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


def build_app() -> Starlette:
    widgets: dict[int, dict[str, Any]] = {}

    async def states(request: Request) -> Response:
        change = await request.json()
        params = change.get("params") or {}
        if change.get("action", "setup") == "setup" and "id" in params:
            wid = int(params["id"])
            widgets[wid] = {"id": wid, "name": params.get("name", "widget"), "price": 9.99}
        elif change.get("action") == "teardown":
            widgets.clear()
        return JSONResponse({})

    async def collection(request: Request) -> Response:
        if request.method == "POST":
            body = await request.json()
            wid = max(widgets, default=0) + 1
            widgets[wid] = {"id": wid, "name": body["name"], "price": body["price"]}
            return JSONResponse(widgets[wid], status_code=200)  # BUG: 201 is documented
        return JSONResponse(list(widgets.values()))

    async def item(request: Request) -> Response:
        wid = int(request.path_params["id"])
        if wid not in widgets:
            return JSONResponse({"error": "no such widget"}, status_code=404)
        if request.method == "DELETE":
            del widgets[wid]
            return Response(status_code=204)
        widget = widgets[wid]
        return JSONResponse({**widget, "price": f"{widget['price']:.2f}"})  # BUG: a string

    return Starlette(
        routes=[
            Route("/_pact/states", states, methods=["POST"]),
            Route("/widgets", collection, methods=["GET", "POST"]),
            Route("/widgets/{id:int}", item, methods=["GET", "DELETE"]),
        ]
    )
