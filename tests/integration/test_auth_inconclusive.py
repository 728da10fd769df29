"""Auth refusals prove something only when valid credentials work.

Against tests/targets/security_faults/app.py with the right API key, ``no_bypass`` and
``wrong_credentials_rejected`` pass; when the target refuses the run's own key too (expired,
revoked, deleted by a fuzzer), every refusal is inconclusive, never a pass.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.servers import serve
from tests.targets.security_faults.app import build_app

CONTRACT = Path(__file__).parents[1] / "targets" / "security_faults"
AUTH_CHECKS = {
    "wrong_credentials_rejected",
    "no_bypass[listContacts]",
    "no_bypass[createContact]",
}


def _auth_run(reports: Path, *, key_works: bool) -> dict[str, dict]:
    key = secrets.token_urlsafe(12)
    with serve(build_app(key, faulty=False), ready_path="/health") as base_url:
        given = key if key_works else "revoked-" + key
        env = {**os.environ, "LEAKY_URL": base_url, "LEAKY_API_KEY": given}
        command = [
            sys.executable, "-m", "harness.cli", "check", str(CONTRACT), "--env", "staging",
            "--seed", "3", "--family", "auth", "--report-dir", str(reports),
            "--", "-p", "no:xdist",
        ]  # fmt: skip
        done = subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=300, check=False
        )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    document = json.loads((reports / "security-faults" / "results.json").read_text())
    return {check["name"]: check for check in document["checks"]}


@pytest.mark.parametrize("key_works", [True, False], ids=["key-works", "key-refused"])
def test_refusals_count_only_when_valid_credentials_work(tmp_path: Path, key_works: bool) -> None:
    checks = _auth_run(tmp_path, key_works=key_works)
    assert set(checks) == AUTH_CHECKS
    outcomes = {name: check["outcome"] for name, check in checks.items()}
    assert set(outcomes.values()) == {"passed" if key_works else "skipped"}, outcomes
    if not key_works:
        for check in checks.values():
            assert check["data"]["inconclusive"] is True
            assert "GET /contacts with valid credentials: 401" in check["message"]
