"""A server with seeded bugs: each bug fails exactly the check about it, and nothing else."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.servers import serve
from tests.targets.buggy.app import build_app

CONTRACT = Path(__file__).parents[1] / "targets" / "buggy"
EXPECTED_FAILURES = {
    "conformance::listItems": "Response violates schema",
    "conformance::getItem": "418",
    "conformance::createItem": "500",
    # The same bug, found by Schemathesis's coverage phase with an undeclared Content-Type.
    "conformance::createItem[negative]": "500",
    "conformance::exportItems": "text/csv",
    "auth::no_bypass[getReport]": "auth bypass",
    "conformance::getReport": "accepted a request with no credentials",
    "conformance::stateful": "Steps:",
}


@pytest.fixture(scope="module")
def buggy_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    secret = secrets.token_urlsafe(16)
    reports = tmp_path_factory.mktemp("reports")
    with serve(build_app(secret), ready_path="/health") as base_url:
        env = {**os.environ, "BUGGY_URL": base_url, "BUGGY_CLIENT_SECRET": secret}
        command = [
            sys.executable, "-m", "harness.cli", "check", str(CONTRACT), "--env", "staging",
            "--examples", "15", "--seed", "7",
            *[f"--family={family}" for family in ("config", "auth", "health", "conformance")],
            "--report-dir", str(reports), "--", "-p", "no:xdist",
        ]  # fmt: skip
        done = subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=300, check=False
        )
    results = json.loads((reports / "buggy" / "results.json").read_text())
    by_name = {
        f"{check['family']}::{check['name']}": {
            "outcome": check["outcome"],
            "message": check["message"],
        }
        for check in results["checks"]
    }
    by_name["__output__"] = {
        "stdout": done.stdout,
        "stderr": done.stderr,
        "code": str(done.returncode),
    }
    assert secret not in done.stdout + done.stderr
    assert secret not in (reports / "buggy" / "results.json").read_text()
    return by_name


def test_exit_code_is_1(buggy_run: dict[str, dict[str, str]]) -> None:
    assert buggy_run["__output__"]["code"] == "1", buggy_run["__output__"]


@pytest.mark.parametrize("name", sorted(EXPECTED_FAILURES))
def test_seeded_bug_fails_its_check(buggy_run: dict[str, dict[str, str]], name: str) -> None:
    assert buggy_run[name]["outcome"] == "failed", buggy_run[name]
    assert EXPECTED_FAILURES[name] in buggy_run[name]["message"]


def test_conformance_failure_message_has_everything_to_reproduce(
    buggy_run: dict[str, dict[str, str]],
) -> None:
    message = buggy_run["conformance::createItem"]["message"]
    for part in (
        "POST /items (createItem)",
        "Request:",
        "Response:  500",
        "Contract:",
        "Seed:",
        "curl",
    ):
        assert part in message, message
    assert "openapi.yaml:" in message


def test_nothing_else_fails(buggy_run: dict[str, dict[str, str]]) -> None:
    unexpected = {
        name: result
        for name, result in buggy_run.items()
        if name != "__output__"
        and name not in EXPECTED_FAILURES
        and result["outcome"] not in ("passed", "skipped")
    }
    assert not unexpected
