"""Why the policy jitters: 100 clients contending for a server with room for N per time slot.

A small discrete-time simulation. Every client calls in slot 0; the server serves N of the
calls that arrive in a slot (which N is a seeded shuffle) and answers the rest 429. A rejected
client waits ``next_delay`` seconds (one slot is one second) and calls again. Without jitter
the rejected clients come back together and collide again; full jitter spreads them out.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

import pytest

from harness.transports.retry_policy import Jitter, RetryPolicy, next_delay, should_retry

CLIENTS = 100


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    calls: int  # every call the server received, served or rejected
    completion_slot: int  # the slot in which the last client was served
    served: int


def simulate(policy: RetryPolicy, *, capacity: int, seed: int) -> Outcome:
    rng = random.Random(seed)
    arrivals: dict[int, list[int]] = {0: list(range(CLIENTS))}
    retries = [0] * CLIENTS
    calls = served = slot = 0
    while arrivals:
        slot = min(arrivals)
        callers = arrivals.pop(slot)
        rng.shuffle(callers)
        calls += len(callers)
        served += len(callers[:capacity])
        for client in callers[capacity:]:
            retries[client] += 1
            delay = next_delay(policy, retries[client], retry_after_s=None, rng=rng)
            assert should_retry(
                policy,
                method="GET",
                status=429,
                attempt=retries[client],
                elapsed_s=float(slot),
                has_idempotency_key=False,
                next_delay_s=delay,
            )
            arrivals.setdefault(slot + 1 + int(delay), []).append(client)
    return Outcome(calls=calls, completion_slot=slot, served=served)


def exponential(jitter: Jitter) -> RetryPolicy:
    return RetryPolicy(
        max_attempts=50,
        base_delay_ms=1_000,
        max_delay_ms=64_000,
        jitter=jitter,
        retry_on=frozenset({429}),
    )


@pytest.mark.parametrize("capacity", [5, 10, 20])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_full_jitter_spreads_retries(capacity: int, seed: int) -> None:
    started = time.perf_counter()
    plain = simulate(exponential(Jitter.NONE), capacity=capacity, seed=seed)
    jittered = simulate(exponential(Jitter.FULL), capacity=capacity, seed=seed)

    assert plain.served == jittered.served == CLIENTS
    assert jittered.calls < plain.calls
    assert jittered.completion_slot < plain.completion_slot
    assert time.perf_counter() - started < 1.0


def test_without_jitter_the_herd_returns_together() -> None:
    # Ten slots of ten: each wave of rejected clients arrives in a single slot, so the server
    # sees 100, 90, 80, ... calls; full jitter needs far fewer.
    plain = simulate(exponential(Jitter.NONE), capacity=10, seed=0)
    jittered = simulate(exponential(Jitter.FULL), capacity=10, seed=0)
    assert plain.calls == sum(range(10, 101, 10))
    assert jittered.calls < 0.75 * plain.calls
    assert jittered.completion_slot < plain.completion_slot / 4
