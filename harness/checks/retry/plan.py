"""The checks of the ``retry`` family, planned from the contract's ``retry`` section.

- ``retry_after_sent`` (``retry_after``): the 429s a bounded probe provokes carry
  ``Retry-After``, when the policy honours it;
- ``idempotency_honoured`` (``idempotency``, with ``retry.idempotency_header``): a POST sent
  twice with one key is answered the same both times;
- ``client_follows_policy`` (``client``, local sandbox only): harness's own client, driven
  through fault sequences, retries as declared (a check of the client: ``subject: client``).
"""

from __future__ import annotations

from harness.checks.base import Check, Subject
from harness.checks.retry.client import check_client_follows_policy
from harness.checks.retry.idempotency import check_idempotency_honoured
from harness.checks.retry.retry_after import check_retry_after_sent
from harness.contract import Contract

#: Statuses that tell a client to come back later.
COME_BACK = frozenset({429, 503})


def plan(contract: Contract) -> list[Check]:
    retry = contract.retry
    if retry is None:
        return []
    checks = []
    if retry.honor_retry_after and COME_BACK & set(retry.retry_on):
        checks.append(
            Check(
                family="retry",
                name="retry_after_sent",
                run=check_retry_after_sent,
                description="the 429s a bounded probe provokes carry Retry-After",
                loc=retry.loc,
            )
        )
    if retry.idempotency_header:
        checks.append(
            Check(
                family="retry",
                name="idempotency_honoured",
                run=check_idempotency_honoured,
                description=f"a POST retried with the same {retry.idempotency_header} is "
                "answered as the first, not created twice",
                loc=retry.loc,
                mutating=True,
            )
        )
    checks.append(
        Check(
            family="retry",
            name="client_follows_policy",
            run=check_client_follows_policy,
            description=f"harness's client retries as declared ({retry.max_attempts} attempts, "
            f"{retry.backoff} back-off, {retry.jitter} jitter)",
            loc=retry.loc,
            needs_sandbox=True,
            subject=Subject.CLIENT,
        )
    )
    return checks
