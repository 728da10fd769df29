"""A declared retry policy as data, the schedule it implies, and a judge of observed attempts.

Times in a ``RetryPolicy`` are milliseconds (as a contract writes them); everything the
functions take or return is seconds. ``retry_number`` 1 is the first retry, i.e. attempt 2.

Jitter modes follow the AWS Architecture Blog's "Exponential Backoff And Jitter": with a
backoff delay ``d``, *full* jitter waits uniformly in ``[0, d]``, *equal* jitter in
``[d/2, d]`` and *none* exactly ``d``. Full jitter spreads clients that failed together, which
is what keeps a throttled server from being hit by the same herd again and again.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from harness.errors import UsageError

#: RFC 9110 section 9.2.2: repeating these has the same effect as sending once.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
#: Statuses worth retrying when a contract names none: timeouts, throttling, transient 5xx.
DEFAULT_RETRY_ON = frozenset({408, 425, 429, 500, 502, 503, 504})
# 2.0 ** 1023 is the largest power of two a float holds; beyond it the delay is "infinite".
_MAX_EXPONENT = 1023

_E = TypeVar("_E", bound=StrEnum)


class Backoff(StrEnum):
    """How the delay grows with each retry."""

    EXPONENTIAL = "exponential"
    LINEAR = "linear"
    FIXED = "fixed"


class Jitter(StrEnum):
    """How much randomness is taken off the backoff delay."""

    NONE = "none"
    FULL = "full"
    EQUAL = "equal"


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    """The retry behaviour an integration declares; validated on construction.

    ``max_attempts`` counts every attempt including the first. ``max_delay_ms`` caps the
    backoff delay, ``max_retry_after_ms`` caps how long a ``Retry-After`` is obeyed and
    ``deadline_ms`` bounds the time from the first attempt to the start of the last one.
    Methods that are not idempotent (POST, PATCH, ...) are retried only when the request
    carried ``idempotency_header`` or when ``retry_non_idempotent`` is set.
    """

    max_attempts: int = 3
    backoff: Backoff = Backoff.EXPONENTIAL
    base_delay_ms: float = 100
    max_delay_ms: float | None = None
    jitter: Jitter = Jitter.FULL
    retry_on: frozenset[int] = DEFAULT_RETRY_ON
    honor_retry_after: bool = True
    max_retry_after_ms: float | None = None
    deadline_ms: float | None = None
    idempotency_header: str | None = None
    retry_non_idempotent: bool = False

    def __post_init__(self) -> None:
        # Contracts arrive as YAML strings and lists: coerce once here, so the rest can trust types.
        object.__setattr__(self, "backoff", _choice(Backoff, self.backoff, "backoff"))
        object.__setattr__(self, "jitter", _choice(Jitter, self.jitter, "jitter"))
        object.__setattr__(self, "retry_on", frozenset(self.retry_on))
        if self.max_attempts < 1:
            raise UsageError(
                "RetryPolicy.max_attempts counts every attempt including the first, so it "
                f"must be >= 1; got {self.max_attempts!r}"
            )
        _non_negative("base_delay_ms", self.base_delay_ms)
        for name in ("max_delay_ms", "max_retry_after_ms", "deadline_ms"):
            value = getattr(self, name)
            if value is not None:
                _non_negative(name, value)
        bad = sorted(s for s in self.retry_on if not 100 <= s <= 599)
        if bad:
            raise UsageError(f"RetryPolicy.retry_on holds {bad}, which are not HTTP statuses")


def _choice(enum: type[_E], value: object, name: str) -> _E:
    try:
        return enum(str(value))
    except ValueError:
        choices = ", ".join(repr(member.value) for member in enum)
        raise UsageError(f"RetryPolicy.{name} is {value!r}; use one of {choices}") from None


def _non_negative(name: str, value: float) -> None:
    if not (isinstance(value, int | float) and value >= 0 and not math.isnan(value)):
        raise UsageError(f"RetryPolicy.{name} must be a number of milliseconds >= 0; got {value!r}")


# --- The schedule ---------------------------------------------------------------------------


def base_delay(policy: RetryPolicy, retry_number: int) -> float:
    """Seconds before retry ``retry_number`` (1 = first retry) before jitter, after the cap."""
    if retry_number < 1:
        raise UsageError(f"retry_number starts at 1 (the first retry); got {retry_number!r}")
    base_s = policy.base_delay_ms / 1000
    if policy.backoff is Backoff.EXPONENTIAL:
        delay = base_s * 2.0 ** min(retry_number - 1, _MAX_EXPONENT)
    elif policy.backoff is Backoff.LINEAR:
        delay = base_s * retry_number
    else:
        delay = base_s
    if policy.max_delay_ms is not None:
        delay = min(delay, policy.max_delay_ms / 1000)
    return delay


def delay_bounds(policy: RetryPolicy, retry_number: int) -> tuple[float, float]:
    """The ``[min, max]`` seconds the jitter mode allows before retry ``retry_number``."""
    delay = base_delay(policy, retry_number)
    if policy.jitter is Jitter.FULL:
        return 0.0, delay
    if policy.jitter is Jitter.EQUAL:
        return delay / 2, delay
    return delay, delay


def retry_after_delay(policy: RetryPolicy, retry_after_s: float) -> float:
    """Seconds the policy waits for a ``Retry-After`` of ``retry_after_s``: capped, >= 0."""
    delay = max(0.0, retry_after_s)
    if policy.max_retry_after_ms is not None:
        delay = min(delay, policy.max_retry_after_ms / 1000)
    return delay


def next_delay(
    policy: RetryPolicy, retry_number: int, *, retry_after_s: float | None, rng: random.Random
) -> float:
    """Seconds to wait before retry ``retry_number``.

    A ``Retry-After`` the server sent wins when the policy honours it (capped by
    ``max_retry_after_ms``); otherwise the backoff delay, jittered with ``rng``.
    """
    if policy.honor_retry_after and retry_after_s is not None and not math.isnan(retry_after_s):
        return retry_after_delay(policy, retry_after_s)
    low, high = delay_bounds(policy, retry_number)
    if low == high:
        return low
    return min(high, low + (high - low) * rng.random())


def is_idempotent(method: str) -> bool:
    """Whether repeating ``method`` is safe without an idempotency key (RFC 9110 9.2.2)."""
    return method.upper() in IDEMPOTENT_METHODS


def should_retry(
    policy: RetryPolicy,
    *,
    method: str,
    status: int | None,
    attempt: int,
    elapsed_s: float,
    has_idempotency_key: bool,
    next_delay_s: float = 0.0,
) -> bool:
    """Whether the policy allows another attempt after attempt number ``attempt`` (1-based).

    ``status`` None means no response arrived (a connection error), which is retryable.
    ``elapsed_s`` is the time since the first attempt; with ``next_delay_s`` it must stay
    inside ``deadline_ms`` for the retry to start in time.
    """
    if attempt >= policy.max_attempts:
        return False
    if status is not None and status not in policy.retry_on:
        return False
    if not (is_idempotent(method) or has_idempotency_key or policy.retry_non_idempotent):
        return False
    if policy.deadline_ms is None:
        return True
    return elapsed_s + next_delay_s <= policy.deadline_ms / 1000


# --- The judge ------------------------------------------------------------------------------


def judge_attempt_times(
    policy: RetryPolicy,
    timestamps: Sequence[float],
    *,
    statuses: Sequence[int | None],
    retry_after: Sequence[float | None] | None = None,
    tolerance_s: float = 0.05,
) -> list[str]:
    """What an observed sequence of attempts did against ``policy``; empty when it complied.

    ``timestamps[i]`` is when attempt ``i + 1`` started (any monotonic clock, in seconds),
    ``statuses[i]`` the status its response had (None: no response) and ``retry_after[i]``
    the ``Retry-After`` seconds that response carried. When a ``Retry-After`` is honoured the
    gap must be at least the capped value, and may stretch to the backoff maximum for clients
    that wait the longer of the two. Gaps are allowed ``tolerance_s`` either way.
    """
    after = list(retry_after) if retry_after is not None else [None] * len(timestamps)
    if not len(statuses) == len(after) == len(timestamps):
        raise UsageError(
            f"judge_attempt_times needs one status and one Retry-After per attempt: got "
            f"{len(timestamps)} timestamps, {len(statuses)} statuses, {len(after)} Retry-After"
        )
    verdicts: list[str | None] = []
    if len(timestamps) > policy.max_attempts:
        verdicts.append(
            f"made {len(timestamps)} attempts; policy allows at most {policy.max_attempts}"
        )
    verdicts.extend(
        _judge_retry(
            policy,
            index,
            timestamps,
            previous_status=statuses[index - 1],
            retry_after_s=after[index - 1],
            tolerance_s=tolerance_s,
        )
        for index in range(1, len(timestamps))
    )
    verdicts.append(_judge_deadline(policy, timestamps, tolerance_s))
    return [verdict for verdict in verdicts if verdict]


def _judge_deadline(
    policy: RetryPolicy, timestamps: Sequence[float], tolerance_s: float
) -> str | None:
    if policy.deadline_ms is None or len(timestamps) < 2:
        return None
    span, deadline = timestamps[-1] - timestamps[0], policy.deadline_ms / 1000
    if span <= deadline + tolerance_s:
        return None
    return (
        f"attempt {len(timestamps)} came {_seconds(span)} s after attempt 1; "
        f"policy deadline is {_seconds(deadline)} s"
    )


def _judge_retry(
    policy: RetryPolicy,
    index: int,
    timestamps: Sequence[float],
    *,
    previous_status: int | None,
    retry_after_s: float | None,
    tolerance_s: float,
) -> str | None:
    """The verdict on attempt ``index + 1``, or None when it came as the policy says."""
    attempt = index + 1
    if previous_status is not None and previous_status not in policy.retry_on:
        statuses = ", ".join(str(s) for s in sorted(policy.retry_on)) or "nothing"
        return (
            f"attempt {attempt} followed a {previous_status} response; "
            f"policy retries only on {statuses}"
        )
    low, high = delay_bounds(policy, index)
    note = ""
    if policy.honor_retry_after and retry_after_s is not None and not math.isnan(retry_after_s):
        low = retry_after_delay(policy, retry_after_s)
        high = max(low, high)
        note = f" (Retry-After: {_seconds(retry_after_s)} s)"
    gap = timestamps[index] - timestamps[index - 1]
    if gap < low - tolerance_s:
        bound = f">= {_seconds(low)}"
    elif gap > high + tolerance_s:
        bound = f"<= {_seconds(high)}"
    else:
        return None
    return (
        f"attempt {attempt} came {_seconds(gap)} s after attempt {index}; "
        f"policy requires {bound} s{note}"
    )


def _seconds(value: float) -> str:
    """Seconds for a message: at most three decimals, no trailing zeros (1.6, 0.25, 2)."""
    if not math.isfinite(value):
        return str(value)
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in {"", "-0"} else text
