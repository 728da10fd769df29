"""Throttle: never more than the declared requests per window, never more in flight."""

from __future__ import annotations

import dataclasses
import functools
import threading
import time
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.auth import Credentials
from harness.contract import Contract, load_contract
from harness.contract.model import RateLimit
from harness.errors import UsageError
from harness.transports.client import HarnessClient
from harness.transports.throttle import (
    FileBudget,
    LocalBudget,
    Throttle,
    Window,
    earliest_start,
)

ACME = Path(__file__).parents[2] / "contracts" / "acme-crm" / "integration.yaml"


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def throttle(*limits: RateLimit, fake: FakeTime, **options: object) -> Throttle:
    return Throttle(limits, clock=fake.clock, sleep=fake.sleep, **options)  # type: ignore[arg-type]


def starts(
    limiter: Throttle, fake: FakeTime, gaps: list[float], op: str | None = None
) -> list[float]:
    """Send one request after each gap (seconds of idling); the times they started."""
    started = []
    for gap in gaps:
        fake.now += gap
        with limiter.slot(op):
            started.append(fake.now)
    return started


def most_in_any_window(times: list[float], window_s: float) -> int:
    """The largest number of starts inside any half-open window of length ``window_s``."""
    ordered = sorted(times)
    best = 0
    for index, first in enumerate(ordered):
        # A nanosecond of slack: a fake clock that sleeps ``start - now`` lands on ``start``
        # give or take one float rounding, which is no request too many.
        best = max(best, sum(1 for t in ordered[index:] if t < first + window_s - 1e-9))
    return best


def test_sliding_window_allows_a_burst_then_waits_a_full_window() -> None:
    fake = FakeTime()
    limiter = throttle(RateLimit(limit=60, window="1m"), fake=fake)
    started = starts(limiter, fake, [0.0] * 130)
    assert started[:60] == [0.0] * 60
    assert started[60:120] == [60.0] * 60
    assert started[120:] == [120.0] * 10
    assert most_in_any_window(started, 60.0) == 60
    assert limiter.waited_s == 120.0


def test_margin_widens_the_window() -> None:
    fake = FakeTime()
    limiter = throttle(RateLimit(limit=2, window="1s"), fake=fake, margin_s=0.25)
    assert starts(limiter, fake, [0.0] * 3) == [0.0, 0.0, 1.25]


def test_every_declared_window_holds() -> None:
    fake = FakeTime()
    limiter = throttle(
        RateLimit(limit=5, window="1s"), RateLimit(limit=12, window="10s"), fake=fake
    )
    started = starts(limiter, fake, [0.05] * 40)
    assert most_in_any_window(started, 1.0) <= 5
    assert most_in_any_window(started, 10.0) <= 12


@given(
    limit=st.integers(min_value=1, max_value=8),
    window_s=st.sampled_from([0.5, 1.0, 7.0, 60.0]),
    gaps=st.lists(st.floats(min_value=0, max_value=3, allow_nan=False), max_size=60),
)
def test_never_more_than_limit_per_window(limit: int, window_s: float, gaps: list[float]) -> None:
    fake = FakeTime()
    window = f"{int(window_s * 1000)}ms"
    limiter = throttle(RateLimit(limit=limit, window=window), fake=fake)
    started = starts(limiter, fake, gaps)
    assert most_in_any_window(started, window_s) <= limit
    # ... and never a wait the limit did not call for: the first `limit` go at once.
    assert started[:limit] == [sum(gaps[: i + 1]) for i in range(min(limit, len(gaps)))]


def test_limits_for_named_operations_apply_only_to_them() -> None:
    fake = FakeTime()
    limiter = throttle(RateLimit(limit=1, window="1s", operations=("createContact",)), fake=fake)
    assert starts(limiter, fake, [0, 0], "listContacts") == [0.0, 0.0]
    assert starts(limiter, fake, [0, 0], "createContact") == [0.0, 1.0]


def test_pause_holds_requests_and_is_capped_by_the_longest_window() -> None:
    fake = FakeTime()
    limiter = throttle(RateLimit(limit=100, window="10s"), fake=fake)
    limiter.pause(3.0)
    assert starts(limiter, fake, [0.0]) == [3.0]
    limiter.pause(10_000.0)
    assert starts(limiter, fake, [0.0]) == [13.0]


def test_earliest_start_grants_in_order() -> None:
    window = Window(key="k", limit=2, window_s=10.0)
    assert earliest_start({}, [window], 5.0) == 5.0
    assert earliest_start({"k": [7.0]}, [window], 5.0) == 7.0
    assert earliest_start({"k": [1.0, 2.0]}, [window], 5.0) == 11.0


def test_negative_margin_is_refused() -> None:
    with pytest.raises(UsageError, match="margin_s must be >= 0"):
        Throttle((), margin_s=-1)


def test_concurrent_limit_caps_requests_in_flight() -> None:
    limiter = Throttle((RateLimit(concurrent=3),))
    in_flight = peak = 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal in_flight, peak
        with limiter.slot():
            with lock:
                in_flight += 1
                peak = max(peak, in_flight)
            time.sleep(0.01)
            with lock:
                in_flight -= 1

    threads = [threading.Thread(target=work) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak == 3


def test_local_budget_is_shared_between_throttles() -> None:
    fake = FakeTime()
    budget = LocalBudget()
    limits = (RateLimit(limit=2, window="1s"),)
    first = Throttle(limits, scope="acme", budget=budget, clock=fake.clock, sleep=fake.sleep)
    second = Throttle(limits, scope="acme", budget=budget, clock=fake.clock, sleep=fake.sleep)
    assert starts(first, fake, [0.0]) + starts(second, fake, [0.0, 0.0]) == [0.0, 0.0, 1.0]


def test_file_budget_is_shared_between_open_files(tmp_path: Path) -> None:
    window = Window(key="acme#0", limit=3, window_s=10.0)
    granted: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        budget = FileBudget(tmp_path / "budget.json")  # its own open file description
        for _ in range(4):
            start = budget.reserve([window], 100.0)
            with lock:
                granted.append(start)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(granted) == [100.0] * 3 + [110.0] * 3 + [120.0] * 3 + [130.0] * 3 + [
        140.0
    ] * 3 + [150.0]
    assert most_in_any_window(granted, 10.0) == 3


def test_file_budget_survives_a_garbled_file(tmp_path: Path) -> None:
    path = tmp_path / "budget.json"
    path.write_text("{not json")
    window = Window(key="k", limit=1, window_s=1.0)
    assert FileBudget(path).reserve([window], 5.0) == 5.0
    assert FileBudget(path).reserve([window], 5.0) == 6.0


def test_shared_file_budget_path_is_per_scope() -> None:
    assert FileBudget.shared("acme@http://a").path != FileBudget.shared("acme@http://b").path
    assert FileBudget.shared("x").path == FileBudget.shared("x").path


@functools.cache
def acme() -> Contract:
    return load_contract(ACME)


def test_client_waits_for_the_declared_limit() -> None:
    fake = FakeTime()
    contract = dataclasses.replace(
        acme(), auth=None, rate_limits=(RateLimit(limit=3, window="1s"),)
    )
    seen: list[float] = []

    def server(request: httpx.Request) -> httpx.Response:
        seen.append(fake.now)
        return httpx.Response(200)

    with HarnessClient(
        contract,
        base_url="http://api.test/v1",
        credentials=Credentials(),
        transport=httpx.MockTransport(server),
        sleep=fake.sleep,
        clock=fake.clock,
    ) as client:
        for _ in range(7):
            client.call("listContacts")
    assert seen == pytest.approx([0.0, 0.0, 0.0, 1.05, 1.05, 1.05, 2.1])


def test_client_believes_a_spent_quota() -> None:
    fake = FakeTime()
    contract = dataclasses.replace(
        acme(), auth=None, rate_limits=(RateLimit(limit=100, window="1m"),)
    )
    seen: list[float] = []

    def server(request: httpx.Request) -> httpx.Response:
        seen.append(fake.now)
        headers = {"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "0"}
        headers["X-RateLimit-Reset"] = "30"
        return httpx.Response(200, headers=headers if len(seen) == 1 else {})

    with HarnessClient(
        contract,
        base_url="http://api.test/v1",
        credentials=Credentials(),
        transport=httpx.MockTransport(server),
        sleep=fake.sleep,
        clock=fake.clock,
    ) as client:
        client.call("listContacts")
        client.call("listContacts")
    assert seen == [0.0, 30.0]


def test_throttle_false_sends_at_once() -> None:
    contract = dataclasses.replace(acme(), auth=None)
    with HarnessClient(
        contract,
        base_url="http://api.test/v1",
        credentials=Credentials(),
        transport=httpx.MockTransport(lambda request: httpx.Response(200)),
        throttle=False,
    ) as client:
        assert client.throttle is None


def test_a_pause_for_one_operation_holds_only_the_windows_that_cover_it() -> None:
    fake = FakeTime()
    limiter = throttle(
        RateLimit(limit=100, window="10s", operations=("createContact",)),
        RateLimit(limit=100, window="10s", operations=("listContacts",)),
        fake=fake,
    )
    limiter.pause(3.0, "createContact")
    assert starts(limiter, fake, [0.0], "listContacts") == [0.0]
    assert starts(limiter, fake, [0.0], "createContact") == [3.0]
