"""``harness review`` on acme-crm: maintenance periods, sunsets, last green run, the page."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest

from harness.cli import main
from harness.review import add_period, render_review_markdown, review

ROOT = Path(__file__).parents[2]
V1 = ROOT / "contracts" / "acme-crm"
V2 = ROOT / "tests" / "fixtures" / "diff" / "acme-crm-v2"


@pytest.mark.parametrize(
    ("start", "period", "due"),
    [
        (dt.date(2026, 11, 30), "P3M", dt.date(2027, 2, 28)),  # clamped to the month's end
        (dt.date(2026, 1, 31), "P1M", dt.date(2026, 2, 28)),
        (dt.date(2026, 1, 1), "P1Y2W", dt.date(2027, 1, 15)),
        (dt.date(2026, 1, 1), "P10D", dt.date(2026, 1, 11)),
        (dt.date(2026, 1, 1), "3 months", None),
        (dt.date(2026, 1, 1), "P", None),
    ],
)
def test_iso_8601_periods(start: dt.date, period: str, due: dt.date | None) -> None:
    assert add_period(start, period) == due


def test_review_lists_overdue_tasks_and_rotation(tmp_path: Path) -> None:
    (entry,) = review(V1, today=dt.date(2027, 2, 10), report_dir=tmp_path)
    due = {item.text.split(":")[0]: item for item in entry.items if item.due}
    assert set(due) == {"rotate-credentials", "check-api-version", "verify-webhook-endpoints"}
    assert due["rotate-credentials"].topic == "credentials"
    assert "OVERDUE by 9 days (due 2027-02-01)" in due["rotate-credentials"].text
    assert "integration.yaml:" in due["rotate-credentials"].where
    assert entry.last_green == ""


def test_review_reports_a_sunset_reached_and_the_last_green_run(tmp_path: Path) -> None:
    folder = tmp_path / "acme-crm"
    folder.mkdir()
    results = {"counts": {"passed": 93, "failed": 0, "error": 0, "skipped": 1},
               "run": {"started": "2026-12-01T10:00:00+00:00"}}  # fmt: skip
    (folder / "results.json").write_text(json.dumps(results))
    (entry,) = review(V2, today=dt.date(2026, 12, 2), report_dir=tmp_path)
    sunsets = [item for item in entry.items if item.topic == "deprecations"]
    assert [item.text for item in sunsets] == [
        "listDeals: sunset 2026-11-01 REACHED: move off it now"
    ]
    assert sunsets[0].due
    assert entry.last_green == "2026-12-01T10:00:00+00:00 (results.json)"
    page = render_review_markdown([entry], dt.date(2026, 12, 2))
    assert "- [ ] **listDeals: sunset 2026-11-01 REACHED: move off it now**" in page
    assert "### Last green run\n- 2026-12-01T10:00:00+00:00 (results.json)" in page


def test_a_failed_run_is_not_green(tmp_path: Path) -> None:
    folder = tmp_path / "acme-crm"
    folder.mkdir()
    results = {"counts": {"passed": 90, "failed": 3}, "run": {"started": "2026-12-01"}}
    (folder / "results.json").write_text(json.dumps(results))
    (entry,) = review(V1, today=dt.date(2026, 12, 2), report_dir=tmp_path)
    assert entry.last_green == ""


def test_review_command_writes_the_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "review.md"
    assert main(["review", str(V1), "--report-dir", str(tmp_path), "--out", str(out)]) == 0
    page = out.read_text()
    assert page.startswith("# Maintenance review")
    assert "## Acme CRM (`acme-crm`)" in page
    assert "rotate-credentials" in page
    assert f"checklist: {out}" in capsys.readouterr().out


def test_review_since_a_git_ref_lists_the_contract_diff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    inside = subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], capture_output=True,
                            timeout=30, check=False)  # fmt: skip
    if inside.returncode != 0:
        pytest.skip("not a git checkout: --since needs one")
    (entry,) = review(V1, today=dt.date(2026, 12, 2), report_dir=tmp_path, since="HEAD")
    assert entry.diff is not None
    assert entry.diff.old == f"HEAD:{V1}"
    page = render_review_markdown([entry], dt.date(2026, 12, 2))
    assert f"### Changes since `HEAD:{V1}`" in page


def test_review_since_an_unknown_ref_says_so_on_the_page(tmp_path: Path) -> None:
    (entry,) = review(V1, today=dt.date(2026, 12, 2), report_dir=tmp_path, since="no-such-ref")
    assert entry.diff is None
    assert "cannot read this git version" in entry.diff_problem
    page = render_review_markdown([entry], dt.date(2026, 12, 2))
    assert "- [ ] could not diff: no-such-ref:" in page


def test_review_of_a_missing_folder_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["review", "no/such/contracts"]) == 2
    assert "no such folder" in capsys.readouterr().err


def test_review_out_a_folder_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["review", str(V1), "--out", str(tmp_path)]) == 2
    assert "is a folder; give a file name" in capsys.readouterr().err
