"""The bounded load probe: open-loop arrivals at a fixed rate from a few virtual clients.

Request ``i`` is due at ``start + i / rate`` whatever happened to the others (open loop: a
slow target does not slow the arrivals down, so its slowness shows as latency and lost
throughput instead of hiding). ``clients`` threads take the next due request in turn, so
at most ``clients`` are in flight. Requests go through the run's contract client (auth,
throttle, cassettes, recording) with retries off: the probe must see every error as it is.

No load library is used: Locust and Molotov run their own process and event loop (gevent
monkey-patching, in Locust's case), which a bounded probe inside a pytest item cannot host;
a thread per virtual client over the client harness already has is what the probe needs.

In replay the answers come from the cassette: requests are sent back to back (no pacing,
one client) and the latency figures are the *recorded* ones; throughput is not measured.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from harness.checks.performance.spec import LoadPlan
from harness.errors import HarnessError
from harness.stats import percentile
from harness.transports.exchange import Exchange

Send = Callable[[str], None]  # sends one request of an operation (raises HarnessError)


@dataclass(frozen=True, slots=True, kw_only=True)
class Sample:
    """One probe request: its operation, status (None: no response), time, when it ended."""

    operation: str
    status: int | None
    elapsed_ms: float | None  # None: replayed without a recorded time
    ended_s: float  # seconds after the probe's first request started


@dataclass(frozen=True, slots=True, kw_only=True)
class ProbeResult:
    """What the probe saw: one sample per request sent, and the load it was sent at."""

    plan: LoadPlan
    operations: tuple[str, ...]
    samples: tuple[Sample, ...]
    paced: bool  # False in replay: sent back to back, no throughput figure
    source: str  # "measured" | "recorded"

    @property
    def latencies_ms(self) -> list[float]:
        return [s.elapsed_ms for s in self.samples if s.elapsed_ms is not None]

    @property
    def untimed(self) -> int:
        return sum(1 for s in self.samples if s.elapsed_ms is None)

    @property
    def errors(self) -> int:
        """Transport errors, 5xx and 429 (the probe stays within the declared limits)."""
        return sum(
            1 for s in self.samples if s.status is None or s.status >= 500 or s.status == 429
        )

    @property
    def error_rate(self) -> float | None:
        return self.errors / len(self.samples) if self.samples else None

    @property
    def throughput_rps(self) -> float | None:
        """Completions per second at steady state: (completed - 1) over first to last end."""
        ends = sorted(s.ended_s for s in self.samples if _ok(s.status))
        if not self.paced or len(ends) < 2 or ends[-1] <= ends[0]:
            return None
        return (len(ends) - 1) / (ends[-1] - ends[0])

    @property
    def allowed_rps(self) -> float | None:
        """The completion rate the target's own answers allowed: the arrival rate, or what
        ``clients`` in flight at the observed mean latency can complete if that is lower,
        scaled by the share of good answers. A measured throughput well below it means the
        probe fell behind its own schedule (harness's side), not that the target was slow."""
        latencies = self.latencies_ms
        if not self.paced or not latencies or not self.samples:
            return None
        mean_s = sum(latencies) / len(latencies) / 1000
        capacity = self.plan.clients / mean_s if mean_s > 0 else float("inf")
        good = sum(1 for s in self.samples if _ok(s.status)) / len(self.samples)
        return min(self.plan.rate_rps, capacity) * good

    def figures(self) -> dict[str, float | int | str | None]:
        """The measured figures, rounded, for reports (``data["performance"]``)."""
        latencies = self.latencies_ms
        throughput = self.throughput_rps
        return {
            "requests": len(self.samples),
            "errors": self.errors,
            "error_rate": _round(self.error_rate, 4),
            "avg_ms": _round(sum(latencies) / len(latencies) if latencies else None),
            "p50_ms": _round(percentile(latencies, 0.50)),
            "p95_ms": _round(percentile(latencies, 0.95)),
            "p99_ms": _round(percentile(latencies, 0.99)),
            "throughput_rps": _round(throughput),
            "rate_rps": _round(self.plan.rate_rps),
            "clients": self.plan.clients if self.paced else 1,
            "latency_source": self.source,
        }


def _ok(status: int | None) -> bool:
    return status is not None and status < 500 and status != 429


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def run_probe(
    plan: LoadPlan,
    operations: Sequence[str],
    send: Send,
    exchanges: Callable[[], Sequence[Exchange]],
    *,
    paced: bool = True,
    clock: Callable[[], float] = time.perf_counter,
    sleep: Callable[[float], None] = time.sleep,
) -> ProbeResult:
    """Send ``plan.requests`` requests round-robin over ``operations``; judge nothing.

    ``exchanges()`` returns every exchange the run recorded so far: the probe's are those
    after the ones present when it started, for its operations (their time excludes any
    wait for the throttle, and in replay is the recorded one).
    """
    before = len(exchanges())
    started = clock()
    deadline = started + plan.seconds
    counter = itertools.count()
    lock = threading.Lock()

    def client() -> None:
        while True:
            with lock:
                index = next(counter)
            due = started + index / plan.rate_rps if paced else clock()
            if index >= plan.requests or due > deadline:
                return
            wait = due - clock()
            if wait > 0:
                sleep(wait)
            with contextlib.suppress(HarnessError):  # its exchange is recorded as errored
                send(operations[index % len(operations)])

    workers = plan.clients if paced else 1
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="harness-load") as pool:
        for future in [pool.submit(client) for _ in range(workers)]:
            future.result()
    mine = [e for e in exchanges()[before:] if e.operation_id in operations]
    return ProbeResult(
        plan=plan,
        operations=tuple(operations),
        samples=_samples(mine),
        paced=paced,
        source="measured" if paced else "recorded",
    )


def _samples(exchanges: Sequence[Exchange]) -> tuple[Sample, ...]:
    """One sample per exchange; ends are counted from the first start (epoch seconds)."""
    first = min((e.started_at for e in exchanges), default=0.0)
    return tuple(
        Sample(
            operation=exchange.operation_id or "",
            status=exchange.status,
            elapsed_ms=exchange.elapsed_s * 1000 if exchange.timed else None,
            ended_s=(exchange.started_at - first) + exchange.elapsed_s,
        )
        for exchange in exchanges
    )
