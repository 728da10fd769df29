"""A rate-limited server with seeded faults: each fails exactly the checks about it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.servers import serve
from tests.targets.ratelimit_faults.app import build_app

CONTRACT = Path(__file__).parents[1] / "targets" / "ratelimit_faults"
EXPECTED_FAILURES = {
    # getGood's 429 carries SLOW_DOWN, which the errors table does not declare
    "errors::observed_errors_declared": "SLOW_DOWN",
    # getNoRetry's 429 carries no Retry-After: its probe and the provider-side retry check
    "ratelimit::enforced[1]": "no valid Retry-After",
    "retry::retry_after_sent": "carry no valid Retry-After",
    # getHalf is declared 10 per minute, enforced at 5
    "ratelimit::enforced[2]": "Observed limit ≈ 5",
    # getLiar's X-RateLimit-Remaining never decreases
    "ratelimit::headers[3]": "remaining did not decrease",
    # getNoReset announces no X-RateLimit-Reset, which the declared x-ratelimit style sends
    "ratelimit::headers[4]": "X-RateLimit-Reset is missing",
    # getLongWait's 429 asks for 86400 s, though the declared window frees it within 60 s
    "ratelimit::enforced[5]": "longer than the declared window of 60 s",
}


def _run(reports: Path, families: tuple[str, ...]) -> dict[str, dict[str, object]]:
    """Run ``families`` against a fresh server; the results by ``family::name``."""
    with serve(build_app(), ready_path="/health") as base_url:
        env = {**os.environ, "FAULTS_URL": base_url}
        command = [
            sys.executable, "-m", "harness.cli", "check", str(CONTRACT), "--env", "staging",
            *(f"--family={family}" for family in families),
            "--report-dir", str(reports), "--", "-p", "no:xdist",
        ]  # fmt: skip
        done = subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=120, check=False
        )
    results = json.loads((reports / "ratelimit-faults" / "results.json").read_text())
    by_name: dict[str, dict[str, object]] = {
        f"{check['family']}::{check['name']}": check for check in results["checks"]
    }
    assert by_name, done.stdout + done.stderr
    assert done.returncode == 1, done.stdout + done.stderr
    return by_name


@pytest.fixture(scope="module")
def faults_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    return _run(tmp_path_factory.mktemp("reports"), ("ratelimit", "retry", "errors"))


def test_retry_alone_gives_the_same_verdicts(
    faults_run: dict[str, dict[str, object]], tmp_path: Path
) -> None:
    alone = _run(tmp_path, ("retry",))
    assert set(alone) == {name for name in faults_run if name.startswith("retry::")}
    for name, check in alone.items():
        assert check["outcome"] == faults_run[name]["outcome"], check["message"]
        assert _judged(check) == _judged(faults_run[name])


def _judged(check: dict[str, object]) -> set[tuple[str, int, bool]]:
    """Which operation's 429 was judged, and whether it carried Retry-After."""
    judged = check["data"].get("judged", [])  # type: ignore[attr-defined]
    return {(j["operation"], j["status"], j["retry_after"] is None) for j in judged}


@pytest.mark.parametrize("name", sorted(EXPECTED_FAILURES))
def test_seeded_fault_fails_its_check(faults_run: dict[str, dict[str, object]], name: str) -> None:
    assert faults_run[name]["outcome"] == "failed", faults_run[name]["message"]
    assert EXPECTED_FAILURES[name] in str(faults_run[name]["message"])


def test_nothing_else_fails(faults_run: dict[str, dict[str, object]]) -> None:
    unexpected = {
        name: check["message"]
        for name, check in faults_run.items()
        if name not in EXPECTED_FAILURES and check["outcome"] not in ("passed", "skipped")
    }
    assert not unexpected


def test_declared_and_observed_limits_are_in_the_results(
    faults_run: dict[str, dict[str, object]],
) -> None:
    data = faults_run["ratelimit::enforced[2]"]["data"]
    assert data["declared"]["limit"] == 10  # type: ignore[index]
    assert data["observed"]["allowed_before_429"] + data["observed"]["earlier_in_run"] == 5  # type: ignore[index]
    coverage = faults_run["errors::observed_errors_declared"]["data"]
    assert coverage["declared"] == ["ERR_404", "ERR_429"]  # type: ignore[index]
    undeclared = coverage["observed_undeclared"]  # type: ignore[index]
    assert {item["code"] for item in undeclared} == {"SLOW_DOWN"}
    assert undeclared[0]["request"].startswith("GET http://127.0.0.1:")
