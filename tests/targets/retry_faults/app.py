"""A rate-limited server whose Retry-After breaks tests/targets/retry_faults/integration.yaml.

Each operation allows 4 requests per fixed 60 s window, counted per app instance:
  getFine     — honest: its 429 says Retry-After: <seconds to the window's end> (the control)
  getLying    — its 429 says Retry-After: 1, but the window still has most of a minute to run
  getGarbled  — its 429 says Retry-After: soon, which is neither seconds nor an HTTP-date
  createOrder — ignores Idempotency-Key: a retried POST creates a second order
Used by tests/integration/test_check_errors_retry_faults.py: each bug fails exactly its checks.
"""

from __future__ import annotations

import math
import threading
import time

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

LIMIT = 4
WINDOW_S = 60.0


def build_app() -> Starlette:
    windows: dict[str, tuple[float, int]] = {}
    lock = threading.Lock()

    def take(path: str) -> tuple[bool, int, float]:
        now = time.monotonic()
        with lock:
            start, count = windows.get(path, (now, 0))
            if now >= start + WINDOW_S:
                start, count = now, 0
            allowed = count < LIMIT
            count += allowed
            windows[path] = (start, count)
        return allowed, count, start + WINDOW_S - now

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def limited(request: Request) -> Response:
        allowed, count, reset = take(request.url.path)
        headers = {
            "X-RateLimit-Limit": str(LIMIT),
            "X-RateLimit-Remaining": str(max(0, LIMIT - count)),
            "X-RateLimit-Reset": str(math.ceil(reset)),
        }
        if allowed:
            return JSONResponse({"items": []}, headers=headers)
        headers["Retry-After"] = {
            "/fine": str(math.ceil(reset)),
            "/lying": "1",
            "/garbled": "soon",
        }[request.url.path]
        return JSONResponse({"error": {"code": "ERR_429"}}, status_code=429, headers=headers)

    orders: list[object] = []

    async def create_order(request: Request) -> Response:
        orders.append(await request.json())  # the fault: the Idempotency-Key is not looked at
        return JSONResponse({"id": len(orders)}, status_code=201)

    routes = [Route("/health", health), Route("/orders", create_order, methods=["POST"])]
    routes += [Route(path, limited) for path in ("/fine", "/lying", "/garbled")]
    return Starlette(routes=routes)
