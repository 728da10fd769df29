"""Tokens issued during a run — to wrong credentials too — appear in no output file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.servers import serve
from tests.targets.leaky_tokens.app import LeakyTokens

CONTRACT = Path(__file__).parents[1] / "targets" / "leaky_tokens"


@pytest.fixture(scope="module")
def leaky_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], str]:
    reports = tmp_path_factory.mktemp("reports")
    server = LeakyTokens()
    with serve(server.app, ready_path="/health") as base_url:
        env = {**os.environ, "LEAKY_URL": base_url, "LEAKY_CLIENT_SECRET": "right-secret-123"}
        command = [
            sys.executable, "-m", "harness.cli", "check", str(CONTRACT), "--env", "staging",
            "--family", "auth", "--family", "conformance", "--examples", "3",
            "--report-dir", str(reports),
            "--", "-p", "no:xdist", f"--alluredir={reports / 'allure'}",
        ]  # fmt: skip
        done = subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=300, check=False
        )
    return reports, list(server.issued), done.stdout + done.stderr


def test_the_seeded_fault_fails_its_check(leaky_run: tuple[Path, list[str], str]) -> None:
    reports, issued, output = leaky_run
    results = json.loads((reports / "leaky-tokens" / "results.json").read_text())
    by_name = {f"{c['family']}::{c['name']}": c for c in results["checks"]}
    wrong = by_name["auth::wrong_credentials_rejected"]
    assert wrong["outcome"] == "failed", output
    assert "[redacted]" in wrong["message"]  # the body it quotes held the token
    assert len(issued) >= 4, output  # the wrong-credentials token and the run's own, each x2


def test_no_issued_token_in_any_output(leaky_run: tuple[Path, list[str], str]) -> None:
    reports, issued, output = leaky_run
    files = [reports / "leaky-tokens" / "results.json", reports / "junit.xml"]
    files += sorted((reports / "allure").iterdir())
    assert len(files) > 3, output
    for path in files:
        text = path.read_text(errors="replace")
        leaked = [token for token in issued if token in text]
        assert not leaked, f"{path.name} shows {len(leaked)} issued token(s)"
    assert not [token for token in issued if token in output]
