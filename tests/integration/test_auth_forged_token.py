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


def _outcomes(tmp_path: Path, *, echo: bool) -> dict[str, tuple[str, str]]:
    with serve(build_app(echo=echo), ready_path="/health") as base_url:
        env = {**os.environ, "FORGED_URL": base_url, "FORGED_TOKEN": "issued-token"}
        done = subprocess.run(
            [sys.executable, "-m", "harness.cli", "check", str(CONTRACT), "--env", "staging",
             "--family", "auth", "--family", "security", "--report-dir", str(tmp_path)],
            capture_output=True, text=True, timeout=300, check=False, env=env,
        )  # fmt: skip
    assert "Traceback" not in done.stdout + done.stderr
    text = (tmp_path / "forged-token" / "results.json").read_text()
    assert "issued-token" not in text
    return {c["name"]: (c["outcome"], c["message"]) for c in json.loads(text)["checks"]}


def test_a_target_serving_any_token_fails_no_bypass(tmp_path: Path) -> None:
    outcomes = _outcomes(tmp_path, echo=False)
    assert outcomes["credentials_not_echoed"][0] == "passed"
    outcome, message = outcomes["no_bypass[listItems]"]
    assert outcome == "failed"
    assert "answered 200 to a request with credentials it never issued" in message


def test_a_refusal_quoting_the_credential_fails_credentials_not_echoed(tmp_path: Path) -> None:
    outcomes = _outcomes(tmp_path, echo=True)
    assert outcomes["no_bypass[listItems]"][0] == "passed"
    outcome, message = outcomes["credentials_not_echoed"]
    assert outcome == "failed"
    assert "quoting the forged credential it refused" in message
