"""The contract's ``safety`` section keeps fuzzing off operations, with the reason shown."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.servers import serve
from tests.targets.errors_faults.app import build_app

TARGET = Path(__file__).parents[1] / "targets" / "errors_faults"
SAFETY = """
safety:
  destructive:
    - {path: /items, methods: [post], reason: creates vendor records}
  no_fuzz:
    - {operation: getItem}
"""


def test_destructive_and_excluded_operations_are_not_fuzzed(tmp_path: Path) -> None:
    contract = tmp_path / "contract"
    shutil.copytree(TARGET, contract, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    with (contract / "integration.yaml").open("a") as file:
        file.write(SAFETY)
    app = build_app()
    with serve(app, ready_path="/health") as base_url:
        command = [
            sys.executable, "-m", "harness.cli", "check", str(contract), "--env", "staging",
            "--family", "conformance", "--examples", "3", "--report-dir", str(tmp_path / "r"),
            "--", "-p", "no:xdist",
        ]  # fmt: skip
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            env={**os.environ, "ERRORS_URL": base_url},
            timeout=180,
            check=False,
        )
    results = json.loads((tmp_path / "r" / "errors-faults" / "results.json").read_text())
    by_name = {c["name"]: c for c in results["checks"]}
    assert by_name, done.stdout + done.stderr
    for name in ("createItem", "createItem[negative]"):
        assert by_name[name]["outcome"] == "skipped"
        message = by_name[name]["message"]
        assert "destructive by safety.destructive path /items (POST)" in message
        assert "not fuzzed on 'staging'" in message
        assert "creates vendor records" in message
    for name in ("getItem", "getItem[negative]"):
        assert by_name[name]["outcome"] == "skipped"
        assert (
            "excluded from fuzzing by safety.no_fuzz operation getItem" in by_name[name]["message"]
        )
    assert by_name["getHealth"]["outcome"] != "skipped"  # the others are fuzzed as before
    assert app.state.created == set()  # no POST reached the server
