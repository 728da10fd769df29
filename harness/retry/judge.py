"""Judging a client's attempts against the contract's retry policy (pure; no I/O).

Used by the ``retry`` family on harness's own client and by the ``harness_retry_judge``
fixture on the user's client: both hand over when each attempt started, the status it got
and the ``Retry-After`` it was told, and get readable verdicts back. The timing rules
themselves are ``harness.transports.retry_policy.judge_attempt_times``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from harness.transports.retry_policy import RetryPolicy, judge_attempt_times


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryVerdict:
    """What a client did with a fault sequence; ``problems`` is empty when it complied."""

    attempts: int
    statuses: tuple[int | None, ...]
    gaps_s: tuple[float, ...]
    problems: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems

    def __bool__(self) -> bool:
        return self.ok

    @property
    def message(self) -> str:
        gaps = ", ".join(f"{gap:.3f}" for gap in self.gaps_s) or "none"
        head = f"{self.attempts} attempt(s), statuses {list(self.statuses)}, gaps (s): {gaps}"
        if self.ok:
            return f"follows the retry policy: {head}"
        return f"does not follow the retry policy: {head}\n  - " + "\n  - ".join(self.problems)


def judge_attempts(
    policy: RetryPolicy,
    timestamps: Sequence[float],
    statuses: Sequence[int | None],
    retry_after: Sequence[float | None],
    *,
    expected_attempts: int | None = None,
    tolerance_s: float = 0.05,
) -> RetryVerdict:
    """The verdict on attempts ``timestamps`` (seconds) that got ``statuses``."""
    problems = judge_attempt_times(
        policy, timestamps, statuses=statuses, retry_after=retry_after, tolerance_s=tolerance_s
    )
    if expected_attempts is not None and len(timestamps) != expected_attempts:
        problems.insert(
            0,
            f"made {len(timestamps)} attempt(s); the policy requires {expected_attempts} "
            f"for statuses {list(statuses)}",
        )
    gaps = tuple(b - a for a, b in itertools.pairwise(timestamps))
    return RetryVerdict(
        attempts=len(timestamps),
        statuses=tuple(statuses),
        gaps_s=gaps,
        problems=tuple(problems),
    )


def expected_attempts(policy: RetryPolicy, sequence: Sequence[int]) -> int:
    """How many attempts a compliant client makes against ``sequence`` (then successes)."""
    for number, status in enumerate(sequence, start=1):
        if status not in policy.retry_on or number >= policy.max_attempts:
            return number
    return min(len(sequence) + 1, policy.max_attempts)


class Recorded(Protocol):
    """A request as the sandbox recorded it (``harness.sandbox.RecordedRequest``)."""

    @property
    def timestamp(self) -> float: ...

    @property
    def status(self) -> int | None: ...


def judge_recorded(
    policy: RetryPolicy,
    recorded: Sequence[Recorded],
    faults: Sequence[int],
    *,
    retry_after_s: float | None = None,
    tolerance_s: float = 0.1,
) -> RetryVerdict:
    """The verdict on requests a server recorded while answering ``faults`` in turn."""
    after = [retry_after_s if number < len(faults) else None for number in range(len(recorded))]
    return judge_attempts(
        policy,
        [request.timestamp for request in recorded],
        [request.status for request in recorded],
        after,
        expected_attempts=expected_attempts(policy, faults),
        tolerance_s=tolerance_s,
    )
