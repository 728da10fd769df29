"""The request guard: the breaker trips on a target gone quiet, not on one reset; budgets."""

from __future__ import annotations

import contextlib
import http.server
import threading
import time
from collections.abc import Iterator

import httpcore  # noqa: F401 - loaded now: pytester's inline runs would drop a later import
import httpx
import pytest

from harness.transports.breaker import (
    THRESHOLD,
    GuardedTransport,
    RequestGuard,
    RunClock,
    RunStopped,
    TimeLimits,
    live_transport,
)


class Flaky:
    """A target that answers until told to refuse (httpx's own MockTransport underneath)."""

    def __init__(self) -> None:
        self.refusing = False
        self.sent = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        if self.refusing:
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        return httpx.Response(200, json={"ok": True})


def _client(target: Flaky, budget: TimeLimits | None = None) -> tuple[httpx.Client, RequestGuard]:
    guard = RequestGuard(RunClock(budget or TimeLimits()))
    transport = GuardedTransport(httpx.MockTransport(target), guard)
    return httpx.Client(base_url="http://target.test", transport=transport), guard


def test_breaker_trips_after_consecutive_failures_then_refuses_without_sending() -> None:
    target = Flaky()
    client, guard = _client(target)
    for _ in range(3):
        client.get("/contacts")
    target.refusing = True
    for _ in range(THRESHOLD):
        with pytest.raises(httpx.ConnectError):
            client.get("/contacts")
    assert guard.gone is not None
    assert "target went away at" in guard.gone
    assert "after 3 answered requests" in guard.gone
    sent = target.sent
    with pytest.raises(RunStopped, match="target went away"):
        client.get("/contacts")
    assert target.sent == sent  # refused at once, nothing sent to the dead port


def test_one_reset_between_answers_does_not_trip() -> None:
    target = Flaky()
    client, guard = _client(target)
    client.get("/")
    for _ in range(3):
        target.refusing = True
        for _ in range(THRESHOLD - 1):
            with pytest.raises(httpx.ConnectError):
                client.get("/")
        target.refusing = False
        client.get("/")
    assert guard.gone is None


def test_a_target_that_never_answered_is_not_tripped_here() -> None:
    """That is "target unavailable", said once by the probe before any check runs."""
    target = Flaky()
    target.refusing = True
    client, guard = _client(target)
    for _ in range(THRESHOLD + 2):
        with pytest.raises(httpx.ConnectError):
            client.get("/")
    assert guard.gone is None


def test_check_timeout_cuts_the_check_and_says_so() -> None:
    target = Flaky()
    client, guard = _client(target, TimeLimits(check_timeout_s=0.05))
    guard.clock.start()
    guard.begin_check()
    client.get("/")
    time.sleep(0.06)
    with pytest.raises(RunStopped, match=r"ran out of its 0\.05 s"):
        client.get("/")
    assert guard.end_check() == "cut: the check ran out of its 0.05 s (--harness-check-timeout)"
    guard.begin_check()  # the next check has its own time
    client.get("/")
    assert guard.end_check() is None


def test_run_budget_exhausted_stops_new_checks() -> None:
    clock = RunClock(TimeLimits(max_time_s=0.05))
    assert clock.exhausted() is None  # not started: the clock runs from the first check
    clock.start()
    assert clock.exhausted() is None
    time.sleep(0.06)
    assert clock.exhausted() == "run budget of 0.05 s exhausted (--harness-max-time)"


class _Echo(http.server.BaseHTTPRequestHandler):
    """Answers every GET with the server's name and the request line's target."""

    def do_GET(self) -> None:
        body = f"{self.server.name}: {self.path}".encode()  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        del args


@contextlib.contextmanager
def _serving(name: str) -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    server.name = name  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_guarded_live_client_still_honours_proxy_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """httpx drops HTTP_PROXY once a client is given a transport: the guard must not."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    guard = RequestGuard(RunClock(TimeLimits()))
    with _serving("proxy") as proxy, _serving("vendor") as vendor:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy}")
        base = f"http://localhost:{vendor}"
        with httpx.Client(transport=GuardedTransport(live_transport(base), guard)) as client:
            assert client.get(base + "/contacts").text == f"proxy: {base}/contacts"
        monkeypatch.setenv("NO_PROXY", "localhost")
        with httpx.Client(transport=GuardedTransport(live_transport(base), guard)) as client:
            assert client.get(base + "/contacts").text == "vendor: /contacts"
