"""A slow target for tests/integration/test_cassette_replay_target.py: replay must judge it.

  getHealth  — answers 200, but only after ``DELAY_S`` (the contract allows 100 ms)
  listItems  — answers at once (the control)
Recorded once, the cassettes keep the slow times; replayed (fast), health must still fail.
"""

from __future__ import annotations

import asyncio

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

DELAY_S = 0.3


def build_app() -> Starlette:
    async def health(request: Request) -> Response:
        await asyncio.sleep(DELAY_S)  # the fault: 300 ms where 100 ms are allowed
        return JSONResponse({"status": "ok"})

    async def items(request: Request) -> Response:
        return JSONResponse([{"id": "it_1", "name": "one"}])

    return Starlette(routes=[Route("/health", health), Route("/items", items)])
