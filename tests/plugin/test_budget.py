"""The run's time budget through pytest: checks not started in time are skipped, saying so."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
ACME = ROOT / "contracts" / "acme-crm"


@pytest.fixture
def acme(pytester: pytest.Pytester) -> Path:
    target = pytester.path / "contracts" / "acme-crm"
    shutil.copytree(ACME, target)
    return target


def test_checks_after_the_budget_are_skipped_with_the_reason(
    pytester: pytest.Pytester, acme: Path
) -> None:
    result = pytester.runpytest(
        "contracts", "--harness-family", "auth", "--harness-max-time", "0.001",
        "--harness-report-dir", "out", "-rs",
    )  # fmt: skip
    outcomes = result.parseoutcomes()
    assert outcomes.get("skipped", 0) >= 10
    assert "not run: run budget of 0.001 s exhausted (--harness-max-time)" in result.stdout.str()
    document = json.loads((pytester.path / "out" / "acme-crm" / "results.json").read_text())
    cut = [check for check in document["checks"] if check["data"].get("cut")]
    assert len(cut) == outcomes["skipped"]
    assert document["run"]["complete"] is True


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--harness-max-time", "0", "must be more than 0"),
        ("--harness-max-time", "soon", "expects seconds"),
        ("--harness-check-timeout", "-1", "must be more than 0"),
        ("--harness-check-timeout", "nan", "must be more than 0"),
    ],
)
def test_bad_budget_is_a_usage_error(
    pytester: pytest.Pytester, acme: Path, flag: str, value: str, message: str
) -> None:
    result = pytester.runpytest("contracts", f"{flag}={value}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()
