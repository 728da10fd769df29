"""A stub provider answering from a pact's interactions (``harness pact stub PACT...``).

For a consumer that only has a pact: each request gets the example response of the
interaction that fits it best: same method and path first, then the query, the presence of
``Authorization`` and an equal JSON body decide between interactions of one endpoint
(``createContact`` vs its ``ERR_001``/``ERR_002`` entries). A request no interaction fits is
answered 404 with a JSON body naming the endpoints the pact knows. Provider states are not
simulated: the stub answers what the pact shows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from harness.pact.verify import PactInteraction, read_interactions


class PactStub:
    """An ASGI app serving the example responses of ``pacts``."""

    def __init__(self, pacts: Iterable[Path]) -> None:
        self.interactions = [i for path in pacts for i in read_interactions(path)]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        body = await request.body()
        chosen = self.choose(
            request.method,
            request.url.path,
            {k: request.query_params.getlist(k) for k in request.query_params},
            "authorization" in request.headers,
            body,
        )
        await _answer(chosen, self.interactions)(scope, receive, send)

    def choose(
        self,
        method: str,
        path: str,
        query: Mapping[str, list[str]],
        authorised: bool,
        body: bytes,
    ) -> PactInteraction | None:
        """The interaction that fits this request best (None: none has its method and path)."""
        same = [i for i in self.interactions if i.method == method.upper() and i.path == path]
        return max(same, key=lambda i: _fit(i, query, authorised, body), default=None)


def _fit(
    interaction: PactInteraction, query: Mapping[str, list[str]], authorised: bool, body: bytes
) -> int:
    same_query = dict(interaction.query) == dict(query)
    same_auth = any(k.lower() == "authorization" for k in interaction.headers) == authorised
    same_body = bool(_json(interaction.body) == _json(body.decode("utf-8", "replace") or None))
    return 2 * same_query + 2 * same_auth + 4 * same_body


def _json(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _answer(chosen: PactInteraction | None, known: list[PactInteraction]) -> Response:
    if chosen is None:
        endpoints = sorted({f"{i.method} {i.path}" for i in known})
        return JSONResponse(
            {"error": "no interaction of the pact has this method and path", "known": endpoints},
            status_code=404,
        )
    headers = {k: ", ".join(v) for k, v in chosen.response_headers.items()}
    content = chosen.response_body.encode() if chosen.response_body is not None else b""
    return Response(content, status_code=chosen.response_status, headers=headers)
