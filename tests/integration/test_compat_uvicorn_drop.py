"""A real uvicorn server with ``harness._compat.uvicorn``'s protocol drops a connection.

The unit tests check the shape of uvicorn's protocol class; this one checks the behaviour
the sandbox's ``drop_connection`` fault relies on, on a loopback server.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn

from harness._compat.uvicorn import dropping_protocol

EXTENSION = "harness.test.drop"


async def _app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    if scope["path"] == "/drop":
        scope["extensions"][EXTENSION]()
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


@pytest.fixture
def base_url() -> Iterator[str]:
    config = uvicorn.Config(
        _app, host="127.0.0.1", port=0, http=dropping_protocol(EXTENSION), lifespan="off"
    )
    config.log_level = "error"
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive(), "uvicorn stopped before it started"
        assert time.monotonic() < deadline, "uvicorn did not start within 10 s"
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_the_app_can_close_the_connection_without_answering(base_url: str) -> None:
    with httpx.Client(base_url=base_url, timeout=5) as client:
        assert client.get("/ok").text == "ok"
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/drop")
        assert client.get("/ok").status_code == 200  # the server serves on
