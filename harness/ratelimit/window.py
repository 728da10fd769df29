"""A fresh rate-limit window on the local sandbox, with enforcement switched on for a probe.

The sandbox counts requests but refuses none unless enforcement is on, so the other
families' requests never meet a 429 they did not ask for. A probe switches it on, starts
past every window an earlier probe left behind (by advancing the sandbox clock), and
afterwards switches it off and puts the clock back, so tokens and webhook timestamps stay
in step. Elsewhere than locally there are no controls and this does nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Protocol, TypeVar

import httpx

from harness.settings import Target
from harness.transports.sandbox_admin import clock_offset, set_clock_offset

T = TypeVar("T")

#: Where probes moved the sandbox clock to, so the next probe starts past their windows.
CLOCK_KEY = "ratelimit:furthest-clock"


class ProbeRuntime(Protocol):
    """What a probe needs of the running check (``harness.checks.base.CheckRuntime`` has it)."""

    @property
    def target(self) -> Target: ...

    def http(self) -> httpx.Client:
        """A bare client of the target, for the sandbox's admin API."""
        ...

    def shared(self, key: str, factory: Callable[[], T]) -> T:
        """A value shared by every check of the run, built once by ``factory``."""
        ...


@contextlib.contextmanager
def enforcing(runtime: ProbeRuntime, window_s: float, *, enforce: bool = True) -> Iterator[None]:
    """Locally: a fresh window, limits enforced (or only counted); after, enforcement off and
    the sandbox clock put back where it was (tokens and webhook timestamps stay in step)."""
    controls = runtime.target.controls
    if controls is None:
        yield
        return
    http = runtime.http()
    base = clock_offset(http)
    # Past every window an earlier probe left behind: those started at most at "furthest".
    furthest: dict[str, float] = runtime.shared(CLOCK_KEY, dict)
    controls.advance_clock(max(furthest.get("offset", base), base) - base + window_s + 1)
    controls.set_rate_limit_enforcement(enforce)
    try:
        yield
    finally:
        controls.set_rate_limit_enforcement(False)
        furthest["offset"] = clock_offset(http)
        # Windows that started "in the future" are fresh again once the clock is back.
        set_clock_offset(http, base)
