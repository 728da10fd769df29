"""health::getHealth: a 200 whose body says 'degraded' is not healthy."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ACME = Path(__file__).parents[2] / "contracts" / "acme-crm"
EXAMPLE = "        - status: ok\n          version: 1.2.0\n"


def _health(contract: Path, reports: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "harness.cli", "check", str(contract), "--family", "health",
         "--report-dir", str(reports)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert "Traceback" not in done.stdout + done.stderr
    results = json.loads((reports / "acme-crm" / "results.json").read_text())
    (check,) = [c for c in results["checks"] if c["family"] == "health"]
    return check


@pytest.mark.parametrize(("reported", "outcome"), [("ok", "passed"), ("degraded", "failed")])
def test_the_status_the_target_reports_is_judged(tmp_path: Path, reported: str, outcome: str):
    contract = tmp_path / "acme-crm"
    shutil.copytree(ACME, contract)
    document = contract / "openapi.yaml"
    text = document.read_text()
    assert EXAMPLE in text
    document.write_text(text.replace(EXAMPLE, EXAMPLE.replace("status: ok", f"status: {reported}")))
    check = _health(contract, tmp_path / "reports")
    assert check["outcome"] == outcome, check["message"]
    if outcome == "failed":
        assert "reports itself status='degraded'" in check["message"]
