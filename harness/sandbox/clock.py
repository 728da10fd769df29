"""The sandbox's clock: real time plus an offset that tests move instead of sleeping.

Token expiry, rate-limit windows and webhook timestamps all read this clock, so
``advance(3600)`` expires an hour-long token at once and ``skew(-120)`` makes the sandbox
sign webhooks two minutes in the past. The request log keeps real wall time, because it
is there to measure the client's own pacing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class SandboxClock:
    """Seconds since the epoch, offset by ``skew``/``advance``; thread-safe."""

    def __init__(self, source: Callable[[], float] = time.time) -> None:
        self._source = source
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        return self._source() + self._offset

    @property
    def offset_s(self) -> float:
        return self._offset

    def skew(self, seconds: float) -> None:
        """Set the offset from real time to ``seconds`` (0 puts the clock right)."""
        with self._lock:
            self._offset = float(seconds)

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds`` (on top of any skew)."""
        with self._lock:
            self._offset += float(seconds)
