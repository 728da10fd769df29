"""Drift between recorded runs: a history written by harness.reporting.History, read back."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import main
from harness.diff.drift import read_drift, render_drift_markdown
from harness.errors import UsageError
from harness.reporting import History
from harness.results import CheckResult, Outcome

RUNS = [  # started, version, {check: outcome}, p95
    ("2026-11-01T10:00:00+00:00", "1.2.0", {"a": "passed", "b": "failed", "c": "passed"}, 30.0),
    ("2026-11-10T10:00:00+00:00", "1.2.0", {"a": "passed", "b": "passed", "c": "failed"}, 45.0),
    ("2026-11-20T10:00:00+00:00", "1.3.0", {"a": "failed", "b": "passed", "c": "passed"}, 60.0),
]


def _record(history: History, index: int) -> None:
    started, version, outcomes, p95 = RUNS[index]
    results = [
        CheckResult(
            id=check, integration="acme-crm", family="errors", name=check, outcome=Outcome(outcome)
        )
        for check, outcome in outcomes.items()
    ]
    undeclared = [{"found": "418 with error.code='TEAPOT'"}] if index == 2 else []
    results.append(
        CheckResult(
            id="observed", integration="acme-crm", family="errors",
            name="observed_errors_declared", outcome=Outcome.PASSED,  # its data is what counts
            data={"observed_undeclared": undeclared},
        )
    )  # fmt: skip
    history.record(
        "acme-crm",
        {"run_id": f"run{index}", "started": started},
        results,
        contract_version=version,
        status="healthy",
        metrics={"p95_ms": p95},
    )


@pytest.fixture
def history(tmp_path: Path) -> Path:
    store = History(tmp_path / "history.sqlite")
    for index in range(len(RUNS)):
        _record(store, index)
    return tmp_path / "history.sqlite"


def test_drift_since_a_run_compares_with_the_run_before(history: Path) -> None:
    (drift,) = read_drift(history, "run1")
    assert [run.run_id for run in drift.runs] == ["run0", "run1", "run2"]
    assert drift.newly_failing == ("a",)
    assert drift.fixed == ("b",)
    assert drift.flaky == ("c",)  # passed → failed → passed
    assert drift.trends["p95_ms"] == (30.0, 60.0)
    assert drift.versions == ("1.2.0", "1.3.0")
    assert drift.new_undeclared_errors == ("418 with error.code='TEAPOT'",)


def test_drift_since_a_date(history: Path) -> None:
    (drift,) = read_drift(history, "2026-11-15")
    assert [run.run_id for run in drift.runs] == ["run1", "run2"]
    assert drift.newly_failing == ("a",)
    assert drift.fixed == ("c",)  # failed in run1, passed in run2
    assert drift.flaky == ()
    assert read_drift(history, "2027-01-01") == []


def test_drift_page_and_command(history: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = render_drift_markdown(read_drift(history, "run1"), "run1")
    assert "### Newly failing\n- `a`" in text
    assert "| p95_ms | 30.0 | 60.0 |" in text
    assert "1.2.0 → 1.3.0" in text
    assert "### New undeclared error answers\n- `418 with error.code='TEAPOT'`" in text
    assert main(["report", "--from", str(history.parent), "--since", "run1"]) == 0
    assert (history.parent / "drift.md").read_text().startswith("# Drift since run1")
    page = (history.parent / "drift.html").read_text()
    assert "<h1>Drift since run1</h1>" in page
    assert "<li class='bad'><code>a</code></li>" in page  # newly failing, as in the Markdown
    assert "<script" not in page


def test_drift_without_history_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no run history"):
        read_drift(tmp_path / "history.sqlite", "run1")
