"""A webhook receiver on 127.0.0.1: records every delivery and answers a scripted status.

>>> with Receiver(fail_first=True) as receiver:   # doctest: +SKIP
...     controls.subscribe(receiver.url)
...     receiver.wait_for(2)

With ``fail_first`` it answers 500 to the first attempt of each delivery (one body, one
id) and 204 afterwards, so the sender's retry can be seen and compared with the original.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from harness.errors import TransportError

MAX_BODY_BYTES = 1_000_000
ID_HEADERS = ("webhook-id", "x-github-delivery", "x-shopify-webhook-id", "svix-id")


@dataclass(frozen=True, slots=True, kw_only=True)
class Received:
    """One request the receiver got: lower-cased headers, the raw body, who sent it, when."""

    headers: Mapping[str, str]
    body: bytes
    source_ip: str
    path: str
    at: float  # wall time (time.time()) on arrival
    status: int  # what the receiver answered

    @property
    def delivery_id(self) -> str | None:
        """The delivery id header a scheme sends (``webhook-id``, ``X-GitHub-Delivery``...)."""
        return next((self.headers[name] for name in ID_HEADERS if name in self.headers), None)


class Receiver:
    """A threaded HTTP server on a free loopback port; use as a context manager."""

    def __init__(self, *, path: str = "/webhooks", fail_first: bool = False) -> None:
        self.path = path if path.startswith("/") else "/" + path
        self.fail_first = fail_first
        self._received: list[Received] = []
        self._seen: set[bytes] = set()
        self._cond = threading.Condition()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise TransportError("the webhook receiver is not running; use it as `with Receiver()`")
        return f"http://127.0.0.1:{self._server.server_address[1]}{self.path}"

    def __enter__(self) -> Receiver:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self._record))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="webhook-receiver", daemon=True
        )
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def received(self) -> list[Received]:
        with self._cond:
            return list(self._received)

    def wait_for(
        self,
        count: int = 1,
        *,
        timeout: float = 10.0,
        where: Callable[[Received], bool] | None = None,
    ) -> list[Received]:
        """Wait until ``count`` requests (matching ``where``) arrived; those that did."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [r for r in self._received if where is None or where(r)]
                left = deadline - time.monotonic()
                if len(found) >= count or left <= 0:
                    return found
                self._cond.wait(left)

    def _record(self, headers: Mapping[str, str], body: bytes, source: str, path: str) -> int:
        with self._cond:
            first = body not in self._seen
            self._seen.add(body)
            status = 500 if self.fail_first and first else 204
            received = Received(
                headers=headers,
                body=body,
                source_ip=source,
                path=path,
                at=time.time(),
                status=status,
            )
            self._received.append(received)
            self._cond.notify_all()
            return status


def _handler_for(
    record: Callable[[Mapping[str, str], bytes, str, str], int],
) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            try:
                length = min(int(self.headers.get("content-length") or 0), MAX_BODY_BYTES)
            except ValueError:
                length = 0
            body = self.rfile.read(length)
            headers = {key.lower(): value for key, value in self.headers.items()}
            status = record(headers, body, self.client_address[0], self.path)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: deliveries are recorded, not logged to stderr."""

    return Handler
