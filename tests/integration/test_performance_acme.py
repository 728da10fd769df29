"""The performance family against real loopback servers: the local sandbox, a slow target
(live, recorded and replayed), a protected environment, and acme-crm's ``everything_slow``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.mutants.catalogue import mutant_named
from tests.mutants.score import run_mutant
from tests.support.servers import serve
from tests.targets.replay_slow.app import build_app as build_slow_app

ROOT = Path(__file__).parents[2]
SLOW = ROOT / "tests" / "targets" / "replay_slow"
PERFORMANCE = """
performance: {avg_ms: 100, p95_ms: 200, throughput_rps: 10, min_samples: 10}
rate_limits:
  - {limit: 40, window: 1m}
"""
PRODUCTION = '  production: {base_url: "${REPLAY_SLOW_URL}", protected: true}\n'


def _check(
    args: list[str], *, cwd: Path, env: dict[str, str] | None = None, out: Path | None = None
) -> dict[str, Any]:
    """``harness check`` in a child process: results by ``family::name``, and health.json
    (reports under ``out``, default ``cwd``: never the project's own folder)."""
    folder = out or cwd
    reports = folder / f"reports-{len(list(folder.glob('reports-*')))}"
    command = [sys.executable, "-m", "harness.cli", "check", *args, "--report-dir", str(reports)]
    done = subprocess.run(
        [*command, "--", "-p", "no:xdist", "-p", "no:cacheprovider"],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    files = list(reports.glob("*/results.json"))
    assert files, done.stdout[-3000:] + done.stderr[-3000:]
    checks = json.loads(files[0].read_text())["checks"]
    health = json.loads((files[0].parent / "health.json").read_text())
    html = (files[0].parent / "report.html").read_text()
    found = {item["id"].partition("::")[2]: item for item in checks}
    return {"checks": found, "health": health, "html": html}


def _slow_contract(tmp_path: Path) -> Path:
    contract = tmp_path / "replay-slow"
    shutil.copytree(SLOW, contract, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    text = (contract / "integration.yaml").read_text()
    staging = '  staging: {base_url: "${REPLAY_SLOW_URL}"}\n'
    assert staging in text
    text = text.replace(staging, staging + PRODUCTION) + PERFORMANCE
    (contract / "integration.yaml").write_text(text)
    return contract


def test_the_local_sandbox_holds_acme_crms_targets_and_health_shows_them(tmp_path: Path) -> None:
    run = _check(
        ["contracts/acme-crm", "--family", "performance"], cwd=ROOT.resolve(), out=tmp_path
    )
    outcomes = {name: check["outcome"] for name, check in run["checks"].items()}
    assert outcomes == dict.fromkeys(
        ["performance::avg_ms", "performance::p95_ms", "performance::throughput_rps",
         "performance::error_rate"], "passed",
    ), {name: c["message"] for name, c in run["checks"].items()}  # fmt: skip
    section = run["health"]["performance"]
    rows = {row["metric"]: row for row in section["rows"]}
    assert rows["p95_ms"]["declared"] == 500
    assert rows["p95_ms"]["measured"] < 500
    assert rows["throughput_rps"]["measured"] >= 18
    assert section["load"]["requests"] == 30  # half of 60/1m: the rest is for other checks
    assert section["latency_source"] == "measured"
    assert "Performance under load: declared vs measured" in run["html"]


def test_a_slow_target_fails_live_and_in_replay_on_its_recorded_times(tmp_path: Path) -> None:
    contract = _slow_contract(tmp_path)
    env = {"HARNESS_CASSETTES": str(tmp_path / "cassettes")}
    args = [str(contract), "--env", "staging", "--family", "performance"]
    with serve(build_slow_app(), ready_path="/items") as base_url:
        recorded = _check(
            [*args, "--mode", "record"], cwd=tmp_path, env={**env, "REPLAY_SLOW_URL": base_url}
        )
    live = recorded["checks"]
    assert live["performance::avg_ms"]["outcome"] == "failed"
    assert "the contract declares at most 100 ms" in live["performance::avg_ms"]["message"]
    assert live["performance::p95_ms"]["outcome"] == "failed"
    assert live["performance::error_rate"]["outcome"] == "passed"
    dead = {**env, "REPLAY_SLOW_URL": "http://127.0.0.1:9"}  # replay: the server is gone
    replayed = _check([*args, "--mode", "replay"], cwd=tmp_path, env=dead)["checks"]
    p95 = replayed["performance::p95_ms"]
    assert p95["outcome"] == "failed", p95["message"]
    assert "latency recorded" in p95["message"]
    assert p95["data"]["performance"]["measured"]["p95_ms"] >= 250  # not replay's speed
    throughput = replayed["performance::throughput_rps"]
    assert throughput["outcome"] == "skipped"
    assert "throughput is not measured in replay" in throughput["message"]


def test_a_protected_environment_gets_no_load_unless_allowed(tmp_path: Path) -> None:
    contract = _slow_contract(tmp_path)
    args = [str(contract), "--env", "production", "--family", "performance"]
    with serve(build_slow_app(), ready_path="/items") as base_url:
        env = {"REPLAY_SLOW_URL": base_url}
        refused = _check(args, cwd=tmp_path, env=env)["checks"]
        allowed = _check([*args, "--allow-protected"], cwd=tmp_path, env=env)["checks"]
    for check in refused.values():
        assert check["outcome"] == "skipped"
        assert "load probe against protected environment 'production'" in check["message"]
        assert not check["data"].get("exchanges")
    assert allowed["performance::avg_ms"]["outcome"] == "failed"


def test_the_everything_slow_mutant_is_caught_by_performance(tmp_path: Path) -> None:
    run = run_mutant(mutant_named("everything_slow"), report_dir=tmp_path / "r", timeout_s=240)
    assert run.caught_as_expected, run.problem or [v.message for v in run.verdicts]
    failure = run.first_failure()
    assert failure is not None
    assert failure.id.startswith("performance::")
