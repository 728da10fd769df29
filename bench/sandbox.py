"""Requests/s of a simple read against the local sandbox vs a bare Starlette app, as JSON.

Both servers run uvicorn (same HTTP implementation, no access log) in a child process of
their own, so the load generator never competes with them for the GIL. The read is
``GET /contacts/{id}`` with a bearer token against acme-crm (rate limits not enforced:
the point is the sandbox's own overhead); the bare app returns the very same bytes.

    python bench/sandbox.py [--seconds 3] [--connections 4]

Prints ``{"sandbox_rps": ..., "baseline_rps": ..., "ratio": ...}`` (aim: ratio >= 0.5).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import socket
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT / "contracts" / "acme-crm"


def _serve_sandbox(sock: socket.socket, ready: Any) -> None:
    import httpx
    import uvicorn

    from harness import load_contract
    from harness.sandbox import build_app
    from harness.sandbox.server import _config

    app = build_app(load_contract(CONTRACT), enforce_rate_limits=False)
    token = app.controls.issue_token()

    async def prepare() -> tuple[str, bytes]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            headers = {"Authorization": f"Bearer {token}"}
            body = {"full_name": "Ada Lovelace", "email": "ada@example.com"}
            created = await client.post("/contacts", json=body, headers=headers)
            path = created.headers["location"]
            return path, (await client.get(path, headers=headers)).content

    path, body = asyncio.run(prepare())
    ready.send((path, token, body))
    uvicorn.Server(_config(app, log_level="error")).run(sockets=[sock])


def _serve_baseline(sock: socket.socket, body: bytes, ready: Any) -> None:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    async def read(request: Request) -> Response:
        return Response(body, media_type="application/json")

    app = Starlette(routes=[Route("/contacts/{external_id}", read)])
    ready.send(True)
    config = uvicorn.Config(app, log_level="error", access_log=False, http="h11", lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])


async def _load(port: int, request: bytes, seconds: float, connections: int) -> int:
    done = 0
    deadline = 0.0

    async def worker() -> None:
        nonlocal done
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < deadline:
                writer.write(request)
                await _read_response(reader)
                done += 1
        finally:
            writer.close()

    # warm up, then measure
    deadline = time.perf_counter() + 0.5
    await asyncio.gather(*(worker() for _ in range(connections)))
    done = 0
    deadline = time.perf_counter() + seconds
    await asyncio.gather(*(worker() for _ in range(connections)))
    return done


async def _read_response(reader: asyncio.StreamReader) -> None:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if not head.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(f"unexpected answer: {head[:60]!r}")
    await reader.readexactly(length)


def _bound() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    return sock


def _start(target: Any, args: tuple[Any, ...]) -> tuple[Any, socket.socket, Any]:
    sock = _bound()
    parent, child = multiprocessing.Pipe()
    process = multiprocessing.get_context("spawn").Process(target=target, args=(sock, *args, child))
    process.start()
    return process, sock, parent.recv()


def _rate(target: Any, args: tuple[Any, ...], options: argparse.Namespace, prepared: Any) -> float:
    """Requests/s against a server started from ``target`` (a fresh process)."""
    process, sock, answer = _start(target, args)
    path, token, _ = prepared if prepared is not None else answer
    port = sock.getsockname()[1]
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {token}\r\nAccept: application/json\r\n\r\n"
    ).encode()
    try:
        time.sleep(0.3)
        count = asyncio.run(_load(port, request, options.seconds, options.connections))
    finally:
        process.terminate()
        process.join(5)
        sock.close()
    return count / options.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs; best of each")
    options = parser.parse_args()

    process, sock, prepared = _start(_serve_sandbox, ())
    process.terminate()
    process.join(5)
    sock.close()
    body = prepared[2]
    sandbox_runs, baseline_runs = [], []
    for _ in range(options.rounds):
        sandbox_runs.append(_rate(_serve_sandbox, (), options, None))
        baseline_runs.append(_rate(_serve_baseline, (body,), options, prepared))
    sandbox_rps, baseline_rps = max(sandbox_runs), max(baseline_runs)
    result = {
        "benchmark": "sandbox simple read (GET /contacts/{id}, acme-crm) vs bare Starlette",
        "seconds": options.seconds,
        "connections": options.connections,
        "rounds": options.rounds,
        "sandbox_rps": round(sandbox_rps, 1),
        "baseline_rps": round(baseline_rps, 1),
        "sandbox_runs": [round(r, 1) for r in sandbox_runs],
        "baseline_runs": [round(r, 1) for r in baseline_runs],
        "ratio": round(sandbox_rps / baseline_rps, 3) if baseline_rps else None,
        "python": sys.version.split()[0],
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
