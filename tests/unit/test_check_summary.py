"""The table and warnings `harness check` prints under pytest's output."""

from __future__ import annotations

from rich.console import Console

from harness.check_command import render_summary
from harness.reporting.coverage import hollow_coverage
from harness.results import CheckResult, Outcome


def _result(family: str, name: str, outcome: Outcome, **data: object) -> CheckResult:
    return CheckResult(
        id=f"contracts/acme/integration.yaml::{family}::{name}", integration="acme",
        family=family, name=name, outcome=outcome, data=dict(data),
    )  # fmt: skip


def _text(results: list[CheckResult]) -> str:
    console = Console(width=120, record=True)
    console.print(render_summary(results))
    return console.export_text()


def test_checks_of_the_harness_client_get_their_own_row() -> None:
    text = _text(
        [
            _result("retry", "retry_after_sent", Outcome.PASSED),
            _result("retry", "client_follows_policy", Outcome.FAILED, subject="client"),
        ]
    )
    rows = [line for line in text.splitlines() if "retry" in line]
    assert len(rows) == 2
    assert any("retry (harness client)" in row and "1" in row for row in rows)


def test_a_hollow_run_is_named_in_the_warnings() -> None:
    results = [
        _result("conformance", "getContact", Outcome.SKIPPED, statuses={"404": 20}, mode="positive")
    ]
    warnings = hollow_coverage(results)
    assert warnings == [
        "contracts/acme/integration.yaml::conformance::getContact: never reached a 2xx in 20 "
        "examples (20x 404)",
        "contracts/acme/integration.yaml::conformance::getContact: all 20 examples were "
        "answered 404",
    ]
