"""An OAuth2 server that issues tokens to anyone, wrong credentials included (a seeded fault).

Its token endpoint answers 200 with a fresh access and refresh token whatever client secret
it is sent, so ``auth::wrong_credentials_rejected`` fails, and its failure would quote the
body. ``issued`` holds every token handed out, for tests/integration/test_secrets_never_shown.py
to assert that none of them appears in results.json, junit.xml or the Allure results.
"""

from __future__ import annotations

import secrets

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


class LeakyTokens:
    def __init__(self) -> None:
        self.issued: list[str] = []
        self.app = Starlette(
            routes=[
                Route("/health", self.health),
                Route("/oauth/token", self.token, methods=["POST"]),
                Route("/items", self.items),
            ]
        )

    async def health(self, request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def token(self, request: Request) -> Response:
        access, refresh = (f"{kind}-{secrets.token_hex(16)}" for kind in ("leakA", "leakR"))
        self.issued += [access, refresh]
        body = {
            "access_token": access,
            "refresh_token": refresh,
            "token_type": "Bearer",
            "expires_in": 3600,
        }
        return JSONResponse(body)

    async def items(self, request: Request) -> Response:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self.issued:
            return JSONResponse({"error": {"code": "ERR_401"}}, status_code=401)
        # The fault again: the token travels back in the body, as some servers echo it.
        return JSONResponse({"items": [], "echo": f"served to {token}"})
