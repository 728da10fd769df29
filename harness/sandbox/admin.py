"""The admin API under ``/__harness__/``: the ``Controls`` over HTTP, and the served OpenAPI.

=================  =================  ===================================================
route (+ prefix)   methods            what
=================  =================  ===================================================
``/health``        GET                readiness
``/openapi.json``  GET                the contract's OpenAPI, ``servers`` = this sandbox
``/faults``        GET, POST, DELETE  list, inject (a ``Fault`` as JSON), clear
``/requests``      GET, DELETE        the request log; clear it
``/clock``         GET, POST          ``{"skew_s": s}`` or ``{"advance_s": s}``
``/tokens``        POST               issue an access token (``{"scope": "a b"}``)
``/tokens/revoke`` POST               revoke every token issued so far
``/ratelimit``     GET, POST          ``{"enforce": false}``
``/subscriptions`` GET, POST, DELETE  webhook receivers (``{"url": ...}``)
``/deliveries``    GET                webhook delivery attempts
``/reset``         POST               a fresh sandbox
=================  =================  ===================================================
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from harness.errors import UsageError
from harness.sandbox.controls import Controls
from harness.sandbox.faults import Fault

Handler = Callable[[Request], Awaitable[Response]]


def admin_routes(controls: Controls, document: Mapping[str, Any]) -> list[Route]:
    """The admin routes (to be mounted at ``harness.transports.sandbox_admin.ADMIN_PREFIX``)."""
    api = _AdminApi(controls, document)
    table: list[tuple[str, Handler, list[str]]] = [
        ("/health", api.health, ["GET"]),
        ("/openapi.json", api.openapi, ["GET"]),
        ("/faults", api.faults, ["GET", "POST", "DELETE"]),
        ("/requests", api.requests, ["GET", "DELETE"]),
        ("/clock", api.clock, ["GET", "POST"]),
        ("/tokens", api.tokens, ["POST"]),
        ("/tokens/revoke", api.revoke, ["POST"]),
        ("/ratelimit", api.ratelimit, ["GET", "POST"]),
        ("/subscriptions", api.subscriptions, ["GET", "POST", "DELETE"]),
        ("/deliveries", api.deliveries, ["GET"]),
        ("/reset", api.reset, ["POST"]),
    ]
    return [Route(path, _guarded(handler), methods=methods) for path, handler, methods in table]


class _AdminApi:
    def __init__(self, controls: Controls, document: Mapping[str, Any]) -> None:
        self._controls = controls
        self._document = document
        self._served: dict[str, bytes] = {}

    async def health(self, request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def openapi(self, request: Request) -> Response:
        base = str(request.base_url).rstrip("/")
        if base not in self._served:
            document = {**self._document, "servers": [{"url": base}]}
            self._served[base] = json.dumps(document).encode()
        return Response(self._served[base], media_type="application/json")

    async def faults(self, request: Request) -> Response:
        if request.method == "POST":
            self._controls.inject(Fault.from_json(await _object(request)))
        elif request.method == "DELETE":
            self._controls.clear_faults()
        return JSONResponse([fault.to_json() for fault in self._controls.faults])

    async def requests(self, request: Request) -> Response:
        if request.method == "DELETE":
            self._controls.clear_requests()
        return JSONResponse([entry.to_json() for entry in self._controls.requests])

    async def clock(self, request: Request) -> Response:
        if request.method == "POST":
            data = await _object(request)
            if "skew_s" in data:
                self._controls.skew_clock(_number(data, "skew_s"))
            if "advance_s" in data:
                self._controls.advance_clock(_number(data, "advance_s"))
        return JSONResponse(
            {"now": self._controls.now(), "offset_s": self._controls.clock_offset_s}
        )

    async def tokens(self, request: Request) -> Response:
        scope = (await _object(request)).get("scope")
        scopes = frozenset(str(scope).split()) if scope else None
        token = self._controls.issue_token(scopes)
        return JSONResponse({"access_token": token, "token_type": "Bearer"})

    async def revoke(self, request: Request) -> Response:
        self._controls.revoke_tokens()
        return JSONResponse({"revoked": True})

    async def ratelimit(self, request: Request) -> Response:
        if request.method == "POST":
            enforce = (await _object(request)).get("enforce")
            if not isinstance(enforce, bool):
                raise UsageError('send {"enforce": true} or {"enforce": false}')
            self._controls.set_rate_limit_enforcement(enforce)
        return JSONResponse({"enforce": self._controls.rate_limits_enforced})

    async def subscriptions(self, request: Request) -> Response:
        if request.method == "POST":
            url = (await _object(request)).get("url")
            if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                raise UsageError('send {"url": "http://host:port/path"}')
            self._controls.subscribe(url)
        elif request.method == "DELETE":
            url = (await _object(request)).get("url")
            self._controls.unsubscribe(url if isinstance(url, str) else None)
        return JSONResponse({"subscribers": self._controls.subscribers})

    async def deliveries(self, request: Request) -> Response:
        return JSONResponse([delivery.to_json() for delivery in self._controls.deliveries])

    async def reset(self, request: Request) -> Response:
        self._controls.reset()
        return JSONResponse({"reset": True})


def _guarded(handler: Handler) -> Handler:
    async def guarded(request: Request) -> Response:
        try:
            return await handler(request)
        except UsageError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)

    return guarded


async def _object(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        raise UsageError("the admin API takes a JSON object") from None
    if not isinstance(data, dict):
        raise UsageError("the admin API takes a JSON object")
    return data


def _number(data: Mapping[str, Any], key: str) -> float:
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UsageError(f"{key} must be a number of seconds, got {value!r}")
    return float(value)
