"""A rate-limited server that breaks tests/targets/ratelimit_faults/integration.yaml on purpose.

Each limited operation has its own fixed 60 s window, counted per app instance:
  getGood     — 4 per minute, honest headers, but its 429 carries an undeclared code (SLOW_DOWN)
  getNoRetry  — 4 per minute, honest headers, 429 without Retry-After
  getHalf     — declared and announced 10 per minute, enforced at 5
  getLiar     — 4 per minute, enforced, but X-RateLimit-Remaining always says 4
  getNoReset  — 4 per minute, honest, but never sends X-RateLimit-Reset
  getLongWait — 4 per minute, honest, but its 429 asks for a day (Retry-After: 86400)
Used by tests/integration/test_check_ratelimit_faults.py: each bug fails exactly its checks.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

WINDOW_S = 60.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Limited:
    """How one operation is limited, announced and refused."""

    enforced: int
    announced: int
    code: str = "ERR_429"
    retry_after: bool = True
    lying: bool = False
    reset: bool = True
    retry_after_s: int | None = None  # what the 429 asks for instead of the time to reset


LIMITS = {
    "/good": Limited(enforced=4, announced=4, code="SLOW_DOWN"),
    "/noretry": Limited(enforced=4, announced=4, retry_after=False),
    "/half": Limited(enforced=5, announced=10),
    "/liar": Limited(enforced=4, announced=4, lying=True),
    "/noreset": Limited(enforced=4, announced=4, reset=False),
    "/longwait": Limited(enforced=4, announced=4, retry_after_s=86400),
}


class Windows:
    def __init__(self) -> None:
        self._state: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def take(self, path: str, limit: int) -> tuple[bool, int, float]:
        """(allowed, requests counted in the window, seconds until it resets)."""
        now = time.monotonic()
        with self._lock:
            start, count = self._state.get(path, (now, 0))
            if now >= start + WINDOW_S:
                start, count = now, 0
            allowed = count < limit
            count += allowed
            self._state[path] = (start, count)
        return allowed, count, start + WINDOW_S - now


def build_app() -> Starlette:
    windows = Windows()

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def item(request: Request) -> Response:
        return JSONResponse({"error": {"code": "ERR_404"}}, status_code=404)

    async def limited(request: Request) -> Response:
        rule = LIMITS[request.url.path]
        allowed, count, reset = windows.take(request.url.path, rule.enforced)
        remaining = rule.announced if rule.lying else max(0, rule.announced - count)
        headers = {
            "X-RateLimit-Limit": str(rule.announced),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": str(math.ceil(reset)),
        }
        if not rule.reset:
            del headers["X-RateLimit-Reset"]
        if allowed:
            return JSONResponse({"items": []}, headers=headers)
        if rule.retry_after:
            headers["Retry-After"] = str(rule.retry_after_s or math.ceil(reset))
        return JSONResponse({"error": {"code": rule.code}}, status_code=429, headers=headers)

    routes = [Route("/health", health), Route("/items/{item_id}", item)]
    routes += [Route(path, limited) for path in LIMITS]
    return Starlette(routes=routes)
