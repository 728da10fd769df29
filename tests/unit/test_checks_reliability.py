"""The pure parts of the errors, ratelimit and retry families: matching, headers, judging."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest

from harness.checks.errors.codes import check_retryable
from harness.checks.errors.observed import check_observed
from harness.checks.errors.table import ErrorTable, dig, judge_response, observed_code
from harness.checks.ratelimit.headers import header_problems
from harness.contract.model import (
    ErrorCode,
    ErrorMatch,
    RateLimit,
    RateLimitHeaders,
    Retry,
)
from harness.errors import CheckFailure
from harness.options import settings_from
from harness.ratelimit import probe_refusal
from harness.results import Outcome
from harness.retry import expected_attempts, judge_attempts, judge_recorded
from harness.transports.exchange import Exchange, ExchangeRequest, ExchangeResponse
from harness.transports.ratelimit_headers import RateLimitInfo, RateLimitStyle
from harness.transports.retry_policy import Jitter, RetryPolicy

ERR_404 = ErrorCode(code="ERR_404", status=404, match=ErrorMatch(body="error.code"))
PROBLEM = ErrorCode(code="NOT_FOUND", status=404, match=ErrorMatch(type="https://e.x/nf"))
HEADER = ErrorCode(code="E9", status=409, match=ErrorMatch(header="X-Error-Code"))


def _exchange(status: int, body: bytes, url: str = "http://h/items/1") -> Exchange:
    return Exchange(
        request=ExchangeRequest(method="GET", url=url),
        response=ExchangeResponse(status=status, body=body),
        started_at=0.0,
        elapsed_s=0.01,
        operation_id="getItem",
    )


def test_dig_follows_dotted_paths_and_never_raises() -> None:
    assert dig({"error": {"code": "E1"}}, "error.code") == "E1"
    assert dig({"errors": [{"code": "E2"}]}, "errors.0.code") == "E2"
    assert dig({"error": "flat"}, "error.code") is None
    assert dig(None, "error.code") is None


def test_judge_response_names_each_difference() -> None:
    assert judge_response(ERR_404, 404, {"error": {"code": "ERR_404"}}, {}) == []
    problems = judge_response(ERR_404, 400, {"error": {"code": "ERR_001"}}, {})
    assert problems == [
        "status 400, expected 404",
        "body error.code is 'ERR_001', expected 'ERR_404'",
    ]
    assert judge_response(PROBLEM, 404, {"type": "https://e.x/nf"}, {}) == []
    assert "RFC 9457" in judge_response(PROBLEM, 404, {"type": "about:blank"}, {})[0]
    assert judge_response(HEADER, 409, None, {"X-Error-Code": "E9"}) == []


def test_observed_code_maps_a_response_to_its_declared_code() -> None:
    table = ErrorTable(codes=(ERR_404, HEADER), token_path="/oauth/token")
    assert observed_code(table, _exchange(404, b'{"error": {"code": "ERR_404"}}')) == "ERR_404"
    assert observed_code(table, _exchange(404, b'{"error": {"code": "GONE"}}')) is None
    assert observed_code(table, _exchange(500, b"")) is None


def test_token_admin_and_success_responses_are_not_judged() -> None:
    table = ErrorTable(codes=(ERR_404,), token_path="/oauth/token")
    assert table.judged(_exchange(404, b""))
    assert not table.judged(_exchange(401, b"", url="http://h/v1/oauth/token"))
    assert not table.judged(_exchange(400, b"", url="http://h/__harness__/faults"))
    assert not table.judged(_exchange(200, b""))


def _contract(errors: list[ErrorCode], retry_on: tuple[int, ...]) -> Any:
    contract = SimpleNamespace(errors=errors, retry=Retry(max_attempts=3, retry_on=retry_on))
    return SimpleNamespace(contract=contract)


def test_retryable_must_agree_with_retry_on() -> None:
    throttled = ErrorCode(code="ERR_429", status=429, retryable=True)
    check_retryable(_contract([ERR_404, throttled], (429, 503)))
    with pytest.raises(CheckFailure, match=r"ERR_429 .* marked retryable but retry\.retry_on"):
        check_retryable(_contract([throttled], (503,)))
    with pytest.raises(CheckFailure, match=r"ERR_404 .* not marked retryable"):
        check_retryable(_contract([ERR_404], (404,)))


class _Observing:
    """What ``check_observed`` reads of a run: the contract, its exchanges, shared state."""

    def __init__(self, exchanges: list[Exchange]) -> None:
        self.contract = SimpleNamespace(errors=[ERR_404], auth=None)
        self._exchanges = tuple(exchanges)
        self._shared: dict[str, Any] = {}

    def exchanges(self) -> tuple[Exchange, ...]:
        return self._exchanges

    def shared(self, key: str, factory: Any) -> Any:
        return self._shared.setdefault(key, factory())

    def secrets(self) -> frozenset[str]:
        return frozenset()


def test_observed_errors_say_how_many_exchanges_and_whose(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run = _Observing([_exchange(200, b"{}"), _exchange(404, b'{"error": {"code": "ERR_404"}}')])
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    whole = check_observed(run)
    assert "1 error response(s) among 2 exchange(s) judged" in whole.message
    assert "every exchange this contract's run recorded" in whole.message
    assert whole.data["judged_exchanges"] == 2
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    worker = check_observed(run)
    assert "only those of this process, xdist worker gw1" in worker.message
    assert "gw1" in worker.data["scope"]
    assert worker.data["scope"] in worker.message


def test_observed_errors_with_no_exchange_is_skipped_not_passed() -> None:
    verdict = check_observed(_Observing([]))
    assert verdict.outcome is Outcome.SKIPPED
    assert verdict.message.startswith("inconclusive: no exchange to judge")


RULE = RateLimit(limit=10, window="1m", headers=RateLimitHeaders.X_RATELIMIT)


def _info(remaining: int | None, *, limit: int = 10, reset: float = 30.0) -> RateLimitInfo:
    return RateLimitInfo(
        style=RateLimitStyle.X_RATELIMIT, limit=limit, remaining=remaining, reset_s=reset
    )


def test_honest_headers_have_no_problem() -> None:
    assert header_problems(RULE, [_info(9), _info(8), _info(7)]) == []
    assert header_problems(RULE, [_info(1), _info(0), _info(0)]) == []  # spent stays spent


@pytest.mark.parametrize(
    ("infos", "expected"),
    [
        ([_info(10), _info(10)], "remaining did not decrease: 10 then 10"),
        ([_info(5, limit=20)], "limit announced 20, declared 10"),
        ([_info(11)], "remaining 11 exceeds the limit 10"),
        ([_info(5, reset=0.0)], "expected in the future"),
        ([_info(5, reset=600.0)], "within the 1m window"),
        ([None], "carries no parseable x-ratelimit headers"),
    ],
)
def test_header_problems(infos: list[RateLimitInfo | None], expected: str) -> None:
    assert any(expected in problem for problem in header_problems(RULE, infos))


POLICY = RetryPolicy(
    max_attempts=3, base_delay_ms=800, jitter=Jitter.NONE, retry_on=frozenset({503})
)


def test_expected_attempts_follow_the_policy() -> None:
    assert expected_attempts(POLICY, (503, 503)) == 3
    assert expected_attempts(POLICY, (503, 503, 503, 503)) == 3
    assert expected_attempts(POLICY, (400,)) == 1
    assert expected_attempts(POLICY, ()) == 1


def test_the_verdict_reads_like_the_issue() -> None:
    verdict = judge_attempts(POLICY, [0.0, 0.8, 1.0], [503, 503, 200], [None] * 3)
    assert not verdict
    assert "attempt 3 came 0.2 s after attempt 2; policy requires >= 1.6 s" in verdict.message
    assert judge_attempts(POLICY, [0.0, 0.8, 2.4], [503, 503, 200], [None] * 3)


@dataclass
class _Recorded:
    timestamp: float
    status: int | None


def test_judge_recorded_counts_attempts_and_honours_retry_after() -> None:
    ok = [_Recorded(0.0, 503), _Recorded(2.0, 200)]
    assert judge_recorded(POLICY, ok, (503,), retry_after_s=2)
    early = [_Recorded(0.0, 503), _Recorded(0.8, 200)]
    verdict = judge_recorded(POLICY, early, (503,), retry_after_s=2)
    assert "policy requires >= 2 s (Retry-After: 2 s)" in verdict.message
    short = judge_recorded(POLICY, [_Recorded(0.0, 503)], (503, 503))
    assert "made 1 attempt(s); the policy requires 3" in short.message


def _target(*, protected: bool = False) -> Any:
    environment = SimpleNamespace(name="staging", protected=protected)
    return SimpleNamespace(protected=protected, environment=environment)


def test_probes_never_touch_protected_environments_and_large_limits_need_the_flag() -> None:
    small, large = RateLimit(limit=10, window="1m"), RateLimit(limit=1000, window="1h")
    assert probe_refusal(_target(), small, probe_large=False) is None
    assert "protected" in str(probe_refusal(_target(protected=True), small, probe_large=True))
    assert "--harness-probe-large" in str(probe_refusal(_target(), large, probe_large=False))
    assert probe_refusal(_target(), large, probe_large=True) is None


class _Config:
    def __init__(self, **given: Any) -> None:
        self.given = given

    def getoption(self, name: str) -> Any:
        return self.given.get(name.removeprefix("harness_opt_"))

    def getini(self, name: str) -> Any:
        return None


def test_probe_large_is_a_run_option() -> None:
    assert settings_from(_Config(probe_large=True), seed=1, fresh_seed=2).probe_large
    assert not settings_from(_Config(), seed=1, fresh_seed=2).probe_large
