"""Family ``retry``: the provider says when to come back, and harness's client obeys the policy."""

from harness.checks.retry.policy import plan

__all__ = ["plan"]
