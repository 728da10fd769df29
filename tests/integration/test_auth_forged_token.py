"""auth::no_bypass sends credentials the target never issued, not only none at all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.servers import serve
from tests.targets.forged_token.app import build_app

CONTRACT = Path(__file__).parents[1] / "targets" / "forged_token"


def test_a_target_serving_any_token_fails_no_bypass(tmp_path: Path) -> None:
    with serve(build_app(), ready_path="/health") as base_url:
        env = {**os.environ, "FORGED_URL": base_url, "FORGED_TOKEN": "issued-token"}
        done = subprocess.run(
            [sys.executable, "-m", "harness.cli", "check", str(CONTRACT), "--env", "staging",
             "--family", "auth", "--report-dir", str(tmp_path)],
            capture_output=True, text=True, timeout=300, check=False, env=env,
        )  # fmt: skip
    assert "Traceback" not in done.stdout + done.stderr
    results = json.loads((tmp_path / "forged-token" / "results.json").read_text())
    outcomes = {c["name"]: (c["outcome"], c["message"]) for c in results["checks"]}
    outcome, message = outcomes["no_bypass[listItems]"]
    assert outcome == "failed"
    assert "answered 200 to a request with credentials it never issued" in message
    assert "issued-token" not in json.dumps(results)
