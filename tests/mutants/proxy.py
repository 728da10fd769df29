"""The mutating proxy: an ASGI app that forwards to the sandbox and lets a mutant rewrite
each request and response, plus the webhook deliveries the sandbox sends back.

Deliveries reach the proxy because the sandbox is subscribed to ``delivery_url(receiver)``
instead of the receiver itself; the proxy forwards them to the receiver named in ``to``.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
import traceback
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import uvicorn

from tests.mutants.mutant import Memo, Mutant
from tests.mutants.wire import Headers, Request, Response

WEBHOOK_PATH = "/__mutants__/deliver"
FORWARD_TIMEOUT_S = 30.0
_HOP_BY_HOP = frozenset(
    {"host", "content-length", "transfer-encoding", "connection", "keep-alive", "content-encoding"}
)

Scope = dict[str, Any]
_TEXT = (("content-type", "text/plain"),)


def delivery_url(proxy_url: str, receiver_url: str) -> str:
    """Where the sandbox delivers so that the proxy sees (and may mutate) the delivery."""
    return f"{proxy_url}{WEBHOOK_PATH}?to={quote(receiver_url, safe='')}"


class MutatingProxy:
    """Forwards every request to ``upstream``; ``mutant`` rewrites what passes through."""

    def __init__(self, upstream: str, mutant: Mutant, memo: Memo | None = None) -> None:
        self.upstream = upstream.rstrip("/")
        self.mutant = mutant
        self.memo: Memo = dict(memo or {})
        self._client: httpx.AsyncClient | None = None

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        request = await _read_request(scope, receive)
        try:
            response = await self._exchange(request)
        except Exception as exc:  # a bug of the proxy must not pass for a fault of the target
            traceback.print_exc()
            text = f"mutants proxy error ({self.mutant.name}): {type(exc).__name__}: {exc}"
            response = Response(status=599, headers=_TEXT, body=text.encode())
        await _write_response(response, send)

    async def _lifespan(self, receive: Any, send: Any) -> None:
        """One pooled client for the proxy's life (a client per request costs an SSL context)."""
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._client = httpx.AsyncClient(timeout=FORWARD_TIMEOUT_S)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._client is not None:
                    await self._client.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _forward(self, url: str, request: Request) -> Response:
        assert self._client is not None, "the proxy is served with lifespan='on'"
        return await _forward(self._client, url, request)

    async def _exchange(self, request: Request) -> Response:
        if request.path == WEBHOOK_PATH:
            return await self._deliver(request)
        request = self.mutant.on_request(request, self.memo)
        response = await self._forward(self.upstream + (request.raw_path or request.path), request)
        return self.mutant.on_response(request, response, self.memo)

    async def _deliver(self, request: Request) -> Response:
        target = parse_qs(request.query).get("to", [""])[0]
        parts = urlsplit(target)
        inner = Request(
            method=request.method,
            path=parts.path,
            query=parts.query,
            headers=request.headers,
            body=request.body,
        )
        inner = self.mutant.on_delivery(inner, self.memo)
        origin = f"{parts.scheme}://{parts.netloc}"
        response = await self._forward(origin + inner.path, inner)
        return self.mutant.on_delivery_response(inner, response, self.memo)


async def _read_request(scope: Scope, receive: Any) -> Request:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    headers: Headers = tuple(
        (key.decode("latin-1"), value.decode("latin-1")) for key, value in scope["headers"]
    )
    return Request(
        method=scope["method"],
        path=scope["path"],
        raw_path=scope.get("raw_path", b"").decode("latin-1"),
        query=scope["query_string"].decode("latin-1"),
        headers=headers,
        body=b"".join(chunks),
    )


async def _forward(client: httpx.AsyncClient, url: str, request: Request) -> Response:
    headers = [
        (k.encode("latin-1"), v.encode("latin-1"))
        for k, v in request.headers
        if k.lower() not in _HOP_BY_HOP
    ]
    try:
        upstream = await client.request(
            request.method,
            url + (f"?{request.query}" if request.query else ""),
            headers=headers,
            content=request.body,
        )
    except httpx.HTTPError:
        # The sandbox dropped the connection (its drop_connection fault): drop ours too,
        # after the status line (dropping before it would make uvicorn answer 500).
        return Response(status=502, truncate=True)
    kept: Headers = tuple(
        (k, v) for k, v in upstream.headers.multi_items() if k.lower() not in _HOP_BY_HOP
    )
    return Response(status=upstream.status_code, headers=kept, body=upstream.content)


async def _write_response(response: Response, send: Any) -> None:
    if response.delay_s:
        await asyncio.sleep(response.delay_s)
    declared = len(response.body) + (64 if response.truncate else 0)
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
    headers.append((b"content-length", str(declared).encode()))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    body = response.body[: len(response.body) // 2] if response.truncate else response.body
    await send({"type": "http.response.body", "body": body, "more_body": response.truncate})
    if response.truncate:
        raise ConnectionAbortedError("mutants proxy: connection dropped on purpose")


@contextlib.contextmanager
def running_proxy(upstream: str, mutant: Mutant, memo: Memo | None = None) -> Iterator[str]:
    """The proxy served by uvicorn on 127.0.0.1:<free port> in a thread; yields its URL.

    ``memo`` seeds the mutant's state (e.g. the webhook secret, to re-sign deliveries).
    """
    # IPPROTO_TCP spelled out so that asyncio sets TCP_NODELAY (else Nagle costs 40 ms a request)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.setblocking(False)
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        MutatingProxy(upstream, mutant, memo),
        lifespan="on",
        log_level="critical",
        access_log=False,
        server_header=False,
        date_header=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="mutants-proxy", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("the mutants proxy did not start")
        time.sleep(0.005)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()
