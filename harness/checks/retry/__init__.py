"""Family ``retry``: the provider says when to come back, and harness's client obeys the policy.

``retry_after``, ``idempotency`` and ``client`` hold one check each; ``plan`` says which
apply. Judging attempts against the policy is ``harness.retry`` (the
``harness_retry_judge`` fixture uses it too); the bounded 429 probe is
``harness.ratelimit``.
"""

from harness.checks.retry.plan import plan

__all__ = ["plan"]
