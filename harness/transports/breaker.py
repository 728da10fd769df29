"""Stopping requests that can no longer help: a target that went away, a time budget spent.

``RequestGuard`` sits under every client of a run (``GuardedTransport``). It trips its circuit
breaker once a target that had answered fails ``threshold`` sends in a row to connect or
answer (refused, reset, dropped, timed out): from then on every request is refused at once
with ``RunStopped`` instead of waiting on a dead port, and the remaining checks error with
"target went away at 12:03:41 after N requests". One reset on one request does not trip it:
a target that crashes on a specific request is a finding of the check that sent it.

The same guard enforces the time budgets: the run's (``--harness-max-time``) and each
check's (``--harness-check-timeout``); a request after the deadline is refused, so the check
ends early and says it was cut.
"""

from __future__ import annotations

import threading
import time
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import httpx

from harness.errors import HarnessError

# Sends that fail without an answer from the target (a refusal, a reset, a drop, a timeout).
_NO_ANSWER = (httpx.NetworkError, httpx.TimeoutException, httpx.RemoteProtocolError)
THRESHOLD = 5  # more than one request with its retries (3 sends by default)


class RunStopped(HarnessError):
    """A request refused without sending: the target went away, or the time ran out."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TimeLimits:
    """Time limits of a run; None: no limit."""

    max_time_s: float | None = None  # the whole run, from its first check
    check_timeout_s: float | None = None  # one check


class RunClock:
    """The run's deadline, shared by every contract of the run (started at the first check)."""

    def __init__(self, budget: TimeLimits) -> None:
        self.budget = budget
        self._started: float | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        with self._lock:
            if self._started is None:
                self._started = time.monotonic()

    def exhausted(self) -> str | None:
        """Why no more checks may start, or None."""
        limit = self.budget.max_time_s
        if limit is None or self._started is None:
            return None
        if time.monotonic() - self._started < limit:
            return None
        return f"run budget of {limit:g} s exhausted (--harness-max-time)"

    def check_deadline(self) -> float | None:
        """When a check starting now must stop: its own cap or the run's end, whichever first."""
        ends = []
        if self.budget.check_timeout_s is not None:
            ends.append(time.monotonic() + self.budget.check_timeout_s)
        if self.budget.max_time_s is not None and self._started is not None:
            ends.append(self._started + self.budget.max_time_s)
        return min(ends) if ends else None


class RequestGuard:
    """The breaker of one target, and the deadline of the check running against it."""

    def __init__(self, clock: RunClock, threshold: int = THRESHOLD) -> None:
        self.clock = clock
        self.threshold = threshold
        self.requests = 0  # sends that got an answer
        self._failures: list[str] = []  # the consecutive sends that got none
        self._gone: str | None = None
        self._deadline: float | None = None
        self._cut: str | None = None
        self._lock = threading.Lock()

    @property
    def gone(self) -> str | None:
        """ "target went away at …", once the breaker tripped."""
        return self._gone

    def begin_check(self) -> None:
        with self._lock:
            self._deadline = self.clock.check_deadline()
            self._cut = None

    def end_check(self) -> str | None:
        """Why the check that just ended was cut short, or None."""
        with self._lock:
            cut, self._cut, self._deadline = self._cut, None, None
            return cut

    def before_send(self) -> None:
        with self._lock:
            if self._gone is not None:
                raise RunStopped(self._gone)
            if self._deadline is not None and time.monotonic() >= self._deadline:
                self._cut = self._cut or self._why_cut()
                raise RunStopped(self._cut)

    def _why_cut(self) -> str:
        run_out = self.clock.exhausted()
        if run_out is not None:
            return f"cut: {run_out}"
        return (
            f"cut: the check ran out of its {self.clock.budget.check_timeout_s:g} s "
            "(--harness-check-timeout)"
        )

    def answered(self) -> None:
        with self._lock:
            self.requests += 1
            self._failures.clear()

    def failed(self, error: Exception) -> None:
        with self._lock:
            self._failures.append(f"{type(error).__name__}: {error}")
            if self.requests and len(self._failures) >= self.threshold and self._gone is None:
                at = datetime.now().astimezone().strftime("%H:%M:%S")
                self._gone = (
                    f"target went away at {at} after {self.requests} answered requests: "
                    f"{len(self._failures)} sends in a row got no answer (last: "
                    f"{self._failures[-1]}); its remaining checks were not run"
                )


def live_transport(base_url: str) -> httpx.BaseTransport:
    """The transport httpx would choose itself for ``base_url``.

    httpx ignores HTTP(S)_PROXY, ALL_PROXY and NO_PROXY once a client is given a transport,
    so a guarded client picks the proxy here, the way httpx does.
    """
    parts = urlsplit(base_url)
    proxies = urllib.request.getproxies()
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if proxy and not urllib.request.proxy_bypass(parts.hostname or ""):
        return httpx.HTTPTransport(proxy=proxy)
    return httpx.HTTPTransport()


class GuardedTransport(httpx.BaseTransport):
    """A transport that asks the guard before each send and tells it how the send went."""

    def __init__(self, inner: httpx.BaseTransport, guard: RequestGuard) -> None:
        self.inner = inner
        self.guard = guard

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.guard.before_send()
        try:
            response = self.inner.handle_request(request)
        except _NO_ANSWER as exc:
            self.guard.failed(exc)
            raise
        self.guard.answered()
        return response

    def close(self) -> None:
        self.inner.close()
