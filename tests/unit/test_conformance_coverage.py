"""hollow_coverage: run-level warnings derived from what conformance checks reached."""

from __future__ import annotations

from typing import Any

from harness.reporting.coverage import hollow_coverage
from harness.results import CheckResult, Outcome


def result(name: str, statuses: dict[str, int], mode: str = "positive") -> CheckResult:
    data: dict[str, Any] = {"statuses": statuses, "mode": mode}
    return CheckResult(
        id=f"x::conformance::{name}", integration="x", family="conformance", name=name,
        outcome=Outcome.PASSED, data=data,
    )  # fmt: skip


def test_a_run_that_reached_success_everywhere_has_no_warning() -> None:
    assert hollow_coverage([result("a", {"200": 5, "404": 2}), result("b", {"201": 3})]) == []


def test_most_answers_refused_means_auth_broke() -> None:
    warnings = hollow_coverage([result("a", {"200": 2}), result("b", {"401": 9}, "negative")])
    assert any("9 of 11 answers were 401/403" in w for w in warnings)


def test_an_operation_that_never_reached_2xx_and_a_single_404() -> None:
    warnings = hollow_coverage([result("getContact", {"404": 20})])
    assert any("never reached a 2xx in 20 examples" in w for w in warnings)
    assert any("all 20 examples were answered 404" in w for w in warnings)


def test_results_without_statuses_are_ignored() -> None:
    plain = CheckResult(id="x::auth::a", integration="x", family="auth", name="a",
                        outcome=Outcome.PASSED)  # fmt: skip
    assert hollow_coverage([plain]) == []
