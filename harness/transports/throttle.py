"""Keeping harness inside the rate limits a contract declares, so checks never trip them.

``limit`` per ``window`` is kept as a sliding log: a request may start at ``t`` only when the
``limit``-th most recent start in the same budget is at least one window before ``t``. Unlike
a token bucket (which lets ``2 * limit`` through across a window boundary), this holds for
*every* window, so a server that counts in fixed or sliding windows sees at most ``limit``.
Starts are granted in order, which is what makes the rule enough.

The log lives in a ``Budget``. ``LocalBudget`` serves the threads of one process;
``FileBudget`` keeps the log in a file under an ``fcntl`` lock so that pytest-xdist workers
share one budget per target. ``concurrent`` limits are semaphores, per process.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from harness.contract.model import RateLimit
from harness.errors import UsageError


@dataclass(frozen=True, slots=True, kw_only=True)
class Window:
    """At most ``limit`` request starts in any ``window_s`` seconds, counted under ``key``."""

    key: str
    limit: int
    window_s: float


class Budget(Protocol):
    """Where request starts are counted; atomic, so callers may share it."""

    def reserve(self, windows: Sequence[Window], now: float) -> float:
        """Take a start in every window at the earliest time >= ``now`` they all allow."""
        ...


def earliest_start(
    logs: Mapping[str, Sequence[float]], windows: Sequence[Window], now: float
) -> float:
    """The first time >= ``now`` at which one more start keeps every window within its limit.

    ``logs[key]`` holds the starts granted under ``key``, oldest first.
    """
    start = now
    for window in windows:
        log = logs.get(window.key, ())
        if log:
            start = max(start, log[-1])  # in order: never before an earlier grant
        if len(log) >= window.limit:
            start = max(start, log[-window.limit] + window.window_s)
    return start


class LocalBudget:
    """A budget for the threads of one process."""

    def __init__(self) -> None:
        self._logs: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def reserve(self, windows: Sequence[Window], now: float) -> float:
        with self._lock:
            start = earliest_start(self._logs, windows, now)
            for window in windows:
                self._logs.setdefault(window.key, deque(maxlen=window.limit)).append(start)
            return start


class FileBudget:
    """A budget in a JSON file under an exclusive ``fcntl`` lock, shared between processes.

    Every process must use the same clock for ``now``: ``time.time``, the ``Throttle``
    default. Starts recorded by an earlier run still count while their window lasts, as
    they do on the server.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def shared(cls, scope: str) -> FileBudget:
        """The budget every process of this user shares for ``scope`` (a target)."""
        digest = hashlib.sha256(scope.encode()).hexdigest()[:16]
        directory = Path(tempfile.gettempdir()) / f"harness-{os.getuid()}"
        directory.mkdir(mode=0o700, exist_ok=True)
        return cls(directory / f"ratelimit-{digest}.json")

    def reserve(self, windows: Sequence[Window], now: float) -> float:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        with os.fdopen(fd, "r+", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                logs = _read_logs(handle.read())
                start = earliest_start(logs, windows, now)
                for window in windows:
                    logs[window.key] = [*logs.get(window.key, []), start][-window.limit :]
                handle.seek(0)
                handle.truncate()
                handle.write(json.dumps(logs))
                handle.flush()
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return start


def _read_logs(text: str) -> dict[str, list[float]]:
    try:
        data = json.loads(text) if text else {}
    except ValueError:  # a torn or foreign file: start afresh rather than fail the run
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        str(key): [float(t) for t in value if isinstance(t, int | float)]
        for key, value in data.items()
        if isinstance(value, list)
    }


class Throttle:
    """Holds each request until the declared limits allow it: use ``with throttle.slot(op):``.

    ``margin_s`` widens every window, for the spread between when a request leaves and when
    the server counts it. ``waited_s`` adds up the time spent waiting. ``shards`` splits
    every limit between the jobs of a sharded run (``--shard K/N``): each gets ``limit // N``
    and ``concurrent // N`` (at least 1), so N jobs against one vendor sandbox stay within it.
    """

    def __init__(
        self,
        limits: Sequence[RateLimit],
        *,
        scope: str = "",
        budget: Budget | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        margin_s: float = 0.0,
        shards: int = 1,
    ) -> None:
        if margin_s < 0:
            raise UsageError(f"Throttle margin_s must be >= 0 seconds; got {margin_s!r}")
        self._windows: list[tuple[RateLimit, Window]] = []
        self._semaphores: list[tuple[RateLimit, threading.BoundedSemaphore]] = []
        for index, limit in enumerate(limits):
            if limit.limit is not None and limit.window_s is not None:
                window = Window(
                    key=f"{scope}#{index}:{limit.limit}/{limit.window}",
                    limit=max(1, limit.limit // max(shards, 1)),  # --shard K/N: 1/N each
                    window_s=limit.window_s + margin_s,
                )
                self._windows.append((limit, window))
            if limit.concurrent is not None:
                in_flight = max(1, limit.concurrent // max(shards, 1))
                self._semaphores.append((limit, threading.BoundedSemaphore(in_flight)))
        self.budget: Budget = budget if budget is not None else LocalBudget()
        self.waited_s = 0.0
        self._clock = clock
        self._sleep = sleep
        self._paused_until = 0.0  # every request
        self._paused: dict[str, float] = {}  # window key -> until

    @contextlib.contextmanager
    def slot(self, operation_id: str | None = None) -> Iterator[None]:
        """Wait for a concurrency slot and a start in every rate window, then hold the slot."""
        semaphores = [sem for limit, sem in self._semaphores if _applies(limit, operation_id)]
        for semaphore in semaphores:  # always in declaration order: no two waiters deadlock
            semaphore.acquire()
        try:
            self._wait_for_start(operation_id)
            yield
        finally:
            for semaphore in reversed(semaphores):
                semaphore.release()

    def pause(self, seconds: float, operation_id: str | None = None) -> None:
        """Start nothing for ``seconds``: the server said the quota is spent until then.

        With ``operation_id`` (the operation whose response said so) only the windows that
        cover it pause: a quota of one operation says nothing about the others. The pause is
        capped at the longest declared window: a server cannot ask for more than its own
        contract allows (a garbled reset must not stall a run for hours).
        """
        longest = max((window.window_s for _, window in self._windows), default=0.0)
        until = self._clock() + min(max(0.0, seconds), longest)
        if operation_id is None:
            self._paused_until = max(self._paused_until, until)
            return
        for limit, window in self._windows:
            if _applies(limit, operation_id):
                self._paused[window.key] = max(self._paused.get(window.key, 0.0), until)

    def _wait_for_start(self, operation_id: str | None) -> None:
        windows = [window for limit, window in self._windows if _applies(limit, operation_id)]
        paused = (self._paused.get(window.key, 0.0) for window in windows)
        not_before = max(self._clock(), self._paused_until, *paused)
        start = self.budget.reserve(windows, not_before) if windows else not_before
        wait = start - self._clock()
        if wait > 0:
            self.waited_s += wait
            self._sleep(wait)


def _applies(limit: RateLimit, operation_id: str | None) -> bool:
    return not limit.operations or operation_id in limit.operations
