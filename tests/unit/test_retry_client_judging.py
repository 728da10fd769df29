"""harness's client is judged on the Retry-After each response really carried."""

from __future__ import annotations

from harness.checks.retry.client import retry_after_received
from harness.retry import judge_attempts
from harness.transports.exchange import Exchange, ExchangeRequest, ExchangeResponse
from harness.transports.retry_policy import Jitter, RetryPolicy

POLICY = RetryPolicy(
    max_attempts=2,
    base_delay_ms=100,
    jitter=Jitter.NONE,
    retry_on=frozenset({429}),
    honor_retry_after=True,
    max_retry_after_ms=10_000,
)


def _exchange(status: int, headers: tuple[tuple[str, str], ...] = ()) -> Exchange:
    return Exchange(
        request=ExchangeRequest(method="GET", url="http://h/items"),
        response=ExchangeResponse(status=status, headers=headers),
        started_at=0.0,
        elapsed_s=0.01,
        operation_id="listItems",
    )


def test_the_received_header_is_read_not_the_fault_asked_for() -> None:
    assert retry_after_received(_exchange(429, (("Retry-After", "5"),))) == 5.0
    assert retry_after_received(_exchange(429)) is None
    assert retry_after_received(_exchange(429, (("Retry-After", "soon"),))) is None


def test_a_client_is_not_blamed_for_a_server_that_sent_no_retry_after() -> None:
    told = [retry_after_received(_exchange(429)), None]
    verdict = judge_attempts(POLICY, [0.0, 0.1], [429, 200], told, expected_attempts=2)
    assert verdict.ok, verdict.message  # plain back-off is right when nothing was asked


def test_a_client_that_ignores_a_received_retry_after_is_blamed() -> None:
    told = [retry_after_received(_exchange(429, (("Retry-After", "5"),))), None]
    verdict = judge_attempts(POLICY, [0.0, 0.1], [429, 200], told, expected_attempts=2)
    assert not verdict.ok
