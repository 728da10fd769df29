"""Judging retries against the contract's policy: shared by the ``retry`` family (harness's
own client) and the ``harness_retry_judge`` fixture (the user's client)."""

from harness.retry.judge import (
    Recorded,
    RetryVerdict,
    expected_attempts,
    judge_attempts,
    judge_recorded,
)

__all__ = ["Recorded", "RetryVerdict", "expected_attempts", "judge_attempts", "judge_recorded"]
