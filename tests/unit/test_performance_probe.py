"""The load probe: open-loop arrivals, bounded concurrency, figures from the exchanges."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from harness.checks.performance.probe import ProbeResult, Sample, percentile, run_probe
from harness.checks.performance.spec import LoadPlan
from harness.reporting.performance import performance_html, performance_section
from harness.results import CheckResult, Outcome
from harness.transports.exchange import Exchange


class Recorder:
    """Stands in for the run's client: 'sends' by sleeping, records an Exchange like it."""

    def __init__(self, service_s: float, status: int = 200) -> None:
        self.service_s = service_s
        self.status = status
        self.exchanges: list[Exchange] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self._lock = threading.Lock()

    def send(self, operation: str) -> None:
        with self._lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        started = time.time()
        time.sleep(self.service_s)
        request = httpx.Request("GET", f"http://127.0.0.1/{operation}")
        response = httpx.Response(self.status, request=request)
        exchange = Exchange.from_httpx(
            request, response, started_at=started, elapsed_s=self.service_s, operation_id=operation
        )
        with self._lock:
            self.in_flight -= 1
            self.exchanges.append(exchange)


def test_arrivals_are_open_loop_and_concurrency_is_bounded() -> None:
    target = Recorder(service_s=0.2)
    plan = LoadPlan(rate_rps=20, clients=3, requests=12, seconds=5)
    result = run_probe(plan, ["a", "b"], target.send, lambda: target.exchanges)
    assert len(result.samples) == 12
    assert target.most_in_flight == 3  # 20 rps x 0.2 s wants 4 in flight: 3 allowed
    assert {s.operation for s in result.samples} == {"a", "b"}
    throughput = result.throughput_rps
    assert throughput is not None
    assert throughput == pytest.approx(15, rel=0.2)  # 3 clients / 0.2 s: below the 20 asked
    assert result.figures()["p95_ms"] == pytest.approx(200)


def test_a_fast_target_keeps_up_with_the_arrival_rate() -> None:
    target = Recorder(service_s=0.005)
    plan = LoadPlan(rate_rps=40, clients=2, requests=20, seconds=5)
    result = run_probe(plan, ["a"], target.send, lambda: target.exchanges)
    assert result.throughput_rps == pytest.approx(40, rel=0.15)
    assert result.errors == 0


def test_the_probe_stops_at_its_duration() -> None:
    target = Recorder(service_s=0.0)
    plan = LoadPlan(rate_rps=10, clients=2, requests=1000, seconds=0.5)
    result = run_probe(plan, ["a"], target.send, lambda: target.exchanges)
    assert len(result.samples) == 6  # starts at 0, 0.1, ... 0.5 s


def test_replay_sends_back_to_back_and_reports_no_throughput() -> None:
    target = Recorder(service_s=0.0, status=503)
    plan = LoadPlan(rate_rps=1, clients=4, requests=5, seconds=60)
    started = time.perf_counter()
    result = run_probe(plan, ["a"], target.send, lambda: target.exchanges, paced=False)
    assert time.perf_counter() - started < 2  # not 4 s of pacing
    assert result.throughput_rps is None
    assert result.error_rate == 1.0
    assert result.figures()["clients"] == 1
    assert result.source == "recorded"


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.95) == 95
    assert percentile(values, 0.5) == 50
    assert percentile([3.0], 0.99) == 3
    assert percentile([], 0.5) is None


def _probe() -> ProbeResult:
    samples = tuple(
        Sample(operation="a", status=200, elapsed_ms=float(ms), ended_s=i / 10)
        for i, ms in enumerate(range(10, 40))
    )
    plan = LoadPlan(rate_rps=10, clients=2, requests=30, seconds=5, capped=("30 requests: x",))
    return ProbeResult(plan=plan, operations=("a",), samples=samples, paced=True, source="measured")


def test_health_and_html_show_measured_against_declared() -> None:
    data = {
        "performance": {
            "measured": _probe().figures(),
            "declared": {"p95_ms": 20.0, "avg_ms": None, "throughput_rps": 10.0},
            "load": {"rate_rps": 10, "clients": 2, "requests": 30, "capped": ["30 requests: x"]},
        }
    }
    results = [
        CheckResult(id="x::performance::p95_ms", integration="x", family="performance",
                    name="p95_ms", outcome=Outcome.FAILED, data=data),
        CheckResult(id="x::performance::throughput_rps", integration="x", family="performance",
                    name="throughput_rps", outcome=Outcome.PASSED, data=data),
    ]  # fmt: skip
    section = performance_section(results)
    assert section is not None
    rows = {row["metric"]: row for row in section["rows"]}
    assert rows["p95_ms"] == {"metric": "p95_ms", "declared": 20.0, "measured": 38.0,
                              "outcome": "failed", "inconclusive": False}  # fmt: skip
    assert rows["throughput_rps"]["measured"] == pytest.approx(10, rel=0.05)
    html = performance_html(section)
    assert "Performance under load: declared vs measured" in html
    assert "capped: 30 requests: x" in html
    assert performance_section([]) is None
    assert performance_html(None) == ""


def test_what_the_target_allowed_tells_a_slow_target_from_a_lagging_probe() -> None:
    slow = Recorder(service_s=0.2)  # 3 clients x 0.2 s: the target allows 15/s of the 20 asked
    plan = LoadPlan(rate_rps=20, clients=3, requests=12, seconds=5)
    result = run_probe(plan, ["a"], slow.send, lambda: slow.exchanges)
    assert result.allowed_rps == pytest.approx(15, rel=0.1)

    fast = Recorder(service_s=0.002)  # the target allows the whole 40/s ...
    plan = LoadPlan(rate_rps=40, clients=2, requests=20, seconds=5)
    lagging = run_probe(plan, ["a"], fast.send, lambda: fast.exchanges, sleep=lambda s: None)
    assert lagging.allowed_rps == pytest.approx(40)
    failing = Recorder(service_s=0.002, status=503)  # ... unless it answers 503
    errors = run_probe(plan, ["a"], failing.send, lambda: failing.exchanges)
    assert errors.allowed_rps == 0
