"""What harness cannot run is inconclusive (skipped, with the reason), never passed or failed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).parents[2]
ACME = ROOT / "contracts" / "acme-crm"
XPATH = """\
          - context: $response.body
            condition: /contact/full_name
            type: xpath
"""


def test_an_xpath_criterion_makes_only_its_workflow_inconclusive(tmp_path: Path) -> None:
    folder = tmp_path / "acme-crm"
    shutil.copytree(ACME, folder)
    arazzo = folder / "workflows.arazzo.yaml"
    text = arazzo.read_text()
    anchor = (
        "          - condition: $statusCode == 200\n"
        "          - condition: $response.body#/full_name == $inputs.new_full_name\n"
    )
    assert text.count(anchor) == 1
    arazzo.write_text(text.replace(anchor, anchor + XPATH))
    reports = tmp_path / "reports"
    command = [
        sys.executable, "-m", "harness.cli", "check", str(folder), "--family", "workflows",
        "--seed", "1", "--examples", "5", "--report-dir", str(reports),
        "--", "-p", "no:xdist", "-p", "no:cacheprovider",
    ]  # fmt: skip
    began = time.monotonic()
    done = subprocess.run(
        command, capture_output=True, text=True, env=dict(os.environ), timeout=180, check=False
    )
    elapsed = time.monotonic() - began
    file = reports / "acme-crm" / "results.json"
    assert file.is_file(), done.stdout + done.stderr
    checks = {c["name"]: c for c in json.loads(file.read_text())["checks"]}
    lifecycle = checks["contactLifecycle"]
    assert lifecycle["outcome"] == "skipped", lifecycle["message"]
    assert lifecycle["message"] == (
        "inconclusive: workflow contactLifecycle uses what harness cannot run: 'xpath' "
        "criteria (harness runs simple, regex, jsonpath)"
    )
    assert lifecycle["data"]["inconclusive"] is True
    assert checks["dealForContact"]["outcome"] == "passed"
    assert done.returncode == 0, done.stdout[-3000:]
    assert lifecycle["data"].get("runs") is None  # found before any request was sent
    assert elapsed < 60
