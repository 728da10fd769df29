"""The performance probe's load: what it asks for, and the declared limits that bound it."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.checks.performance.spec import (
    DEFAULT_REQUESTS,
    MAX_SECONDS,
    PROBE_SHARE,
    LoadSpec,
    parse_load,
    plan_load,
)
from harness.contract.policies import Performance, RateLimit
from harness.errors import UsageError

ACME_PERF = Performance(avg_ms=200, p95_ms=500, throughput_rps=20, min_samples=20)
ACME_LIMITS = (RateLimit(limit=60, window="1m"), RateLimit(concurrent=5))
OPS = ("getHealth", "listContacts")


def test_acme_crm_keeps_its_rate_and_takes_half_the_minute() -> None:
    plan = plan_load(ACME_PERF, ACME_LIMITS, OPS, spec=LoadSpec())
    assert (plan.rate_rps, plan.requests, plan.clients) == (20, 30, 4)
    assert "the probe's share (30) of 60/1m" in plan.capped[0]


def test_shards_split_the_requests_and_the_clients() -> None:
    plan = plan_load(ACME_PERF, ACME_LIMITS, OPS, spec=LoadSpec(clients=8), shards=2)
    assert (plan.requests, plan.clients) == (15, 2)
    assert any("split over 2 shards" in reason for reason in plan.capped)


def test_a_short_window_paces_the_probe_under_it() -> None:
    plan = plan_load(ACME_PERF, (RateLimit(limit=10, window="1s"),), OPS, spec=LoadSpec())
    assert plan.rate_rps == pytest.approx(4.0)  # (5 - 1) per second: 5 starts in any 1 s
    assert plan.requests == 21  # 5 s at 4 rps
    assert plan.rate_rps < ACME_PERF.throughput_rps  # the throughput check says why it cannot


def test_defaults_are_small_and_bounded() -> None:
    plan = plan_load(Performance(), (), OPS, spec=LoadSpec())
    assert plan.seconds == MAX_SECONDS
    assert plan.requests <= DEFAULT_REQUESTS
    assert plan.requests <= plan.rate_rps * plan.seconds + 1


def test_a_limit_on_other_operations_does_not_bound_the_probe() -> None:
    other = RateLimit(limit=2, window="1m", operations=("createContact",))
    assert plan_load(ACME_PERF, (other,), OPS, spec=LoadSpec()).requests == 40


def test_harness_load_overrides_the_contract_within_the_limits() -> None:
    spec = parse_load("clients=3, rps=5, requests=12, seconds=4s")
    assert spec == LoadSpec(clients=3, rps=5.0, requests=12, seconds=4.0)
    plan = plan_load(ACME_PERF, ACME_LIMITS, OPS, spec=spec)
    assert (plan.rate_rps, plan.clients, plan.requests, plan.seconds) == (5, 3, 12, 4)
    more = plan_load(ACME_PERF, ACME_LIMITS, OPS, spec=parse_load("requests=500,seconds=60"))
    assert more.requests == 30  # never more than the probe's share of 60/1m


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("fast", "expected KEY=VALUE pairs"),
        ("users=3", "KEY one of clients, rps, requests, seconds"),
        ("rps=abc", "rps='abc': expected a number"),
        ("rps=0", "must be more than 0"),
        ("clients=2.5", "clients=2.5: expected a whole number"),
        ("requests=100000", "requests=100000: at most 2000"),
        ("seconds=600", "seconds=600: at most 60"),
    ],
)
def test_a_bad_load_is_a_usage_error_that_says_what_is_expected(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(")):
        parse_load(text)


@given(
    limit=st.integers(min_value=1, max_value=500),
    window_s=st.sampled_from([1, 10, 60, 3600]),
    concurrent=st.none() | st.integers(min_value=1, max_value=20),
    throughput=st.none() | st.floats(min_value=0.1, max_value=500),
    shards=st.integers(min_value=1, max_value=8),
    clients=st.none() | st.integers(min_value=1, max_value=64),
)
def test_no_window_ever_sees_more_than_the_probes_share(
    limit: int,
    window_s: int,
    concurrent: int | None,
    throughput: float | None,
    shards: int,
    clients: int | None,
) -> None:
    limits = (RateLimit(limit=limit, window=f"{window_s}s"), RateLimit(concurrent=concurrent))
    perf = Performance(throughput_rps=throughput)
    plan = plan_load(perf, limits, OPS, spec=LoadSpec(clients=clients), shards=shards)
    share = max(1, math.floor(limit * PROBE_SHARE / shards))
    starts = [index / plan.rate_rps for index in range(plan.requests)]
    busiest = max(sum(1 for t in starts if s <= t <= s + window_s) for s in starts)
    assert busiest <= share
    if concurrent is not None:
        assert plan.clients <= max(1, concurrent // shards)
    assert plan.requests <= DEFAULT_REQUESTS
    assert (plan.requests - 1) / plan.rate_rps <= plan.seconds
