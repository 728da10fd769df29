"""Retry policy schedule math and the judge of observed attempt times."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.errors import UsageError
from harness.transports.retry_policy import (
    DEFAULT_RETRY_ON,
    Backoff,
    Jitter,
    RetryPolicy,
    base_delay,
    delay_bounds,
    judge_attempt_times,
    next_delay,
    should_retry,
)

bounded = settings(max_examples=50, deadline=None)
optional_ms = st.one_of(st.none(), st.integers(0, 60_000))

policies = st.builds(
    RetryPolicy,
    max_attempts=st.integers(1, 8),
    backoff=st.sampled_from(Backoff),
    base_delay_ms=st.integers(0, 5_000),
    max_delay_ms=optional_ms,
    jitter=st.sampled_from(Jitter),
    retry_on=st.frozensets(st.sampled_from(sorted(DEFAULT_RETRY_ON)), min_size=1),
    honor_retry_after=st.booleans(),
    max_retry_after_ms=optional_ms,
    deadline_ms=st.one_of(st.none(), st.integers(1, 120_000)),
    retry_non_idempotent=st.booleans(),
)


def policy(**overrides: object) -> RetryPolicy:
    settings_: dict[str, object] = {
        "max_attempts": 4,
        "backoff": Backoff.EXPONENTIAL,
        "base_delay_ms": 200,
        "jitter": Jitter.NONE,
        "retry_on": frozenset({429, 503}),
    }
    settings_.update(overrides)
    return RetryPolicy(**settings_)  # type: ignore[arg-type]


# --- Schedule math --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("backoff", "expected"),
    [
        (Backoff.EXPONENTIAL, [0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0]),
        (Backoff.LINEAR, [0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4]),
        (Backoff.FIXED, [0.2] * 7),
    ],
)
def test_base_delay_grows_as_declared_up_to_the_cap(
    backoff: Backoff, expected: list[float]
) -> None:
    capped = policy(backoff=backoff, max_delay_ms=5_000)
    assert [base_delay(capped, n) for n in range(1, 8)] == pytest.approx(expected)


def test_exponential_backoff_without_a_cap_does_not_overflow() -> None:
    assert base_delay(policy(), 10_000) > 1e300  # 2 ** 9999 does not fit a float


@pytest.mark.parametrize(
    ("jitter", "expected"),
    [(Jitter.NONE, (1.6, 1.6)), (Jitter.FULL, (0.0, 1.6)), (Jitter.EQUAL, (0.8, 1.6))],
)
def test_delay_bounds_follow_the_jitter_mode(jitter: Jitter, expected: tuple[float, float]) -> None:
    assert delay_bounds(policy(jitter=jitter), 4) == pytest.approx(expected)


@bounded
@given(policies, st.integers(1, 12), st.integers(0, 2**32))
def test_every_delay_is_within_the_policy_bounds(
    retry: RetryPolicy, retry_number: int, seed: int
) -> None:
    low, high = delay_bounds(retry, retry_number)
    delay = next_delay(retry, retry_number, retry_after_s=None, rng=random.Random(seed))
    assert 0 <= low <= delay <= high
    if retry.max_delay_ms is not None:
        assert high <= retry.max_delay_ms / 1000


@bounded
@given(policies, st.integers(1, 11))
def test_backoff_never_shrinks(retry: RetryPolicy, retry_number: int) -> None:
    assert base_delay(retry, retry_number) <= base_delay(retry, retry_number + 1)


@bounded
@given(policies, st.integers(1, 12), st.floats(-10, 10_000), st.integers(0, 2**32))
def test_retry_after_wins_when_honoured(
    retry: RetryPolicy, retry_number: int, retry_after_s: float, seed: int
) -> None:
    delay = next_delay(retry, retry_number, retry_after_s=retry_after_s, rng=random.Random(seed))
    if retry.honor_retry_after:
        cap = float("inf") if retry.max_retry_after_ms is None else retry.max_retry_after_ms / 1000
        assert delay == min(max(retry_after_s, 0.0), cap)
    else:
        low, high = delay_bounds(retry, retry_number)
        assert low <= delay <= high


def test_full_jitter_is_seeded_and_spread() -> None:
    full = policy(jitter=Jitter.FULL, base_delay_ms=1_000)
    first = [next_delay(full, 3, retry_after_s=None, rng=random.Random(7)) for _ in range(3)]
    assert len(set(first)) == 1  # same seed, same delay
    rng = random.Random(7)
    spread = [next_delay(full, 3, retry_after_s=None, rng=rng) for _ in range(200)]
    assert min(spread) < 0.5
    assert max(spread) > 3.5


# --- should_retry ---------------------------------------------------------------------------

RETRY = {"method": "GET", "status": 503, "attempt": 1, "elapsed_s": 0.0}


@pytest.mark.parametrize(
    ("overrides", "policy_overrides", "expected"),
    [
        ({}, {}, True),
        ({"status": 400}, {}, False),
        ({"status": None}, {}, True),  # no response at all: a connection error
        ({"attempt": 3}, {}, True),
        ({"attempt": 4}, {}, False),
        ({"method": "POST"}, {}, False),
        ({"method": "patch"}, {}, False),
        ({"method": "POST", "has_idempotency_key": True}, {}, True),
        ({"method": "POST"}, {"retry_non_idempotent": True}, True),
        ({"method": "put"}, {}, True),
        ({"elapsed_s": 9.9}, {"deadline_ms": 10_000}, True),
        ({"elapsed_s": 10.1}, {"deadline_ms": 10_000}, False),
        ({"elapsed_s": 9.0, "next_delay_s": 2.0}, {"deadline_ms": 10_000}, False),
    ],
)
def test_should_retry(
    overrides: dict[str, object], policy_overrides: dict[str, object], expected: bool
) -> None:
    arguments: dict[str, object] = {**RETRY, "has_idempotency_key": False, **overrides}
    assert should_retry(policy(**policy_overrides), **arguments) is expected  # type: ignore[arg-type]


# --- The judge ------------------------------------------------------------------------------


@bounded
@given(
    retry=policies,
    seed=st.integers(0, 2**32),
    retry_after=st.lists(st.one_of(st.none(), st.floats(0, 30)), min_size=8, max_size=8),
)
def test_a_schedule_built_by_the_policy_is_judged_compliant(
    retry: RetryPolicy, seed: int, retry_after: list[float | None]
) -> None:
    rng = random.Random(seed)
    status = min(retry.retry_on)
    timestamps = [100.0]
    while True:
        attempt = len(timestamps)
        delay = next_delay(retry, attempt, retry_after_s=retry_after[attempt - 1], rng=rng)
        elapsed = timestamps[-1] - timestamps[0]
        if not should_retry(
            retry,
            method="GET",
            status=status,
            attempt=attempt,
            elapsed_s=elapsed,
            has_idempotency_key=False,
            next_delay_s=delay,
        ):
            break
        timestamps.append(timestamps[-1] + delay)
    count = len(timestamps)
    verdicts = judge_attempt_times(
        retry, timestamps, statuses=[status] * count, retry_after=retry_after[:count]
    )
    assert verdicts == []


def test_too_early_is_reported_with_the_required_minimum() -> None:
    verdicts = judge_attempt_times(policy(), [0.0, 0.2, 0.6, 0.8], statuses=[503, 503, 503, 200])
    assert verdicts == ["attempt 4 came 0.2 s after attempt 3; policy requires >= 0.8 s"]


def test_too_late_is_reported_with_the_allowed_maximum() -> None:
    verdicts = judge_attempt_times(policy(jitter=Jitter.FULL), [0.0, 0.1, 2.0], statuses=[429] * 3)
    assert verdicts == ["attempt 3 came 1.9 s after attempt 2; policy requires <= 0.4 s"]


def test_the_brief_example_is_worded_as_promised() -> None:
    schedule = [0.0, 0.2, 0.6, 1.4, 1.6, 4.8]
    verdicts = judge_attempt_times(policy(max_attempts=3), schedule, statuses=[503] * 6)
    assert verdicts == [
        "made 6 attempts; policy allows at most 3",
        "attempt 5 came 0.2 s after attempt 4; policy requires >= 1.6 s",
    ]


def test_retry_after_sets_the_minimum_gap() -> None:
    capped = policy(max_retry_after_ms=5_000)
    verdicts = judge_attempt_times(
        capped, [0.0, 1.0, 6.0], statuses=[429, 429, 200], retry_after=[3.0, 60.0, None]
    )
    assert verdicts == [
        "attempt 2 came 1 s after attempt 1; policy requires >= 3 s (Retry-After: 3 s)"
    ]


def test_retry_after_is_not_judged_when_the_policy_ignores_it() -> None:
    ignoring = policy(honor_retry_after=False)
    verdicts = judge_attempt_times(
        ignoring, [0.0, 0.2], statuses=[429, 200], retry_after=[30.0, None]
    )
    assert verdicts == []


def test_retrying_a_status_the_policy_does_not_retry_is_reported() -> None:
    verdicts = judge_attempt_times(policy(), [0.0, 0.2], statuses=[400, 200])
    assert verdicts == ["attempt 2 followed a 400 response; policy retries only on 429, 503"]


def test_running_past_the_deadline_is_reported() -> None:
    tight = policy(deadline_ms=1_000, max_attempts=5)
    verdicts = judge_attempt_times(tight, [0.0, 0.2, 0.6, 1.4], statuses=[503] * 4)
    assert verdicts == ["attempt 4 came 1.4 s after attempt 1; policy deadline is 1 s"]


def test_tolerance_absorbs_clock_noise() -> None:
    assert judge_attempt_times(policy(), [0.0, 0.17, 0.6], statuses=[503] * 3) == []
    assert judge_attempt_times(policy(), [0.0, 0.17], statuses=[503] * 2, tolerance_s=0.01) == [
        "attempt 2 came 0.17 s after attempt 1; policy requires >= 0.2 s"
    ]


def test_mismatched_sequences_are_a_usage_error() -> None:
    with pytest.raises(UsageError, match="got 2 timestamps, 1 statuses, 2 Retry-After"):
        judge_attempt_times(policy(), [0.0, 1.0], statuses=[503])


# --- Validation -----------------------------------------------------------------------------


def test_contract_strings_are_coerced() -> None:
    loaded = RetryPolicy(backoff="linear", jitter="equal", retry_on=[503])  # type: ignore[arg-type]
    assert loaded.backoff is Backoff.LINEAR
    assert loaded.jitter is Jitter.EQUAL
    assert loaded.retry_on == frozenset({503})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"max_attempts": 0}, "max_attempts counts every attempt including the first"),
        ({"backoff": "exponentail"}, "backoff is 'exponentail'; use one of 'exponential'"),
        ({"jitter": "half"}, "jitter is 'half'; use one of 'none', 'full', 'equal'"),
        ({"base_delay_ms": -1}, "base_delay_ms must be a number of milliseconds >= 0; got -1"),
        ({"deadline_ms": float("nan")}, "deadline_ms must be a number of milliseconds"),
        ({"retry_on": frozenset({42, 503})}, r"retry_on holds \[42\], which are not HTTP"),
    ],
)
def test_bad_policies_say_what_is_wrong(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        RetryPolicy(**overrides)  # type: ignore[arg-type]


def test_retry_number_starts_at_one() -> None:
    with pytest.raises(UsageError, match="retry_number starts at 1"):
        base_delay(policy(), 0)
