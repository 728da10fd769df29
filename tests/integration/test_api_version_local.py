"""compliance::api_version_matches on the local sandbox: agreement proves nothing, drift fails."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ACME = Path(__file__).parents[2] / "contracts" / "acme-crm"


def _verdict(contract: Path, reports: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "harness.cli", "check", str(contract), "--family", "compliance",
         "--report-dir", str(reports), "--", "-k", "api_version_matches"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert "Traceback" not in done.stdout + done.stderr
    results = json.loads((reports / "acme-crm" / "results.json").read_text())
    (check,) = [c for c in results["checks"] if c["name"] == "api_version_matches"]
    return check


def test_the_local_sandbox_agreeing_with_itself_is_inconclusive(tmp_path: Path) -> None:
    check = _verdict(ACME, tmp_path / "reports")
    assert check["outcome"] == "skipped"
    assert "the local sandbox reports 1.2.0 (body field version)" in check["message"]
    assert "agreeing with itself proves nothing" in check["message"]


def test_a_drifted_version_fails_even_locally(tmp_path: Path) -> None:
    contract = tmp_path / "acme-crm"
    shutil.copytree(ACME, contract)
    document = contract / "openapi.yaml"
    text = document.read_text()
    # the health example the sandbox serves now reports an older version than info.version
    example = "        - status: ok\n          version: 1.2.0\n"
    assert example in text
    document.write_text(text.replace(example, example.replace("1.2.0", "1.1.0")))
    check = _verdict(contract, tmp_path / "reports")
    assert check["outcome"] == "failed", check["message"]
    assert "reports API version" in check["message"]
