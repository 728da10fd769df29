"""acme-crm's Arazzo workflows on the local sandbox: live, recorded, then replayed offline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).parents[2]
ACME = ROOT / "contracts" / "acme-crm"
Results = dict[str, dict[str, Any]]


def _check(reports: Path, *options: str, cassettes: Path | None = None) -> Results:
    command = [
        sys.executable, "-m", "harness.cli", "check", str(ACME), "--family", "workflows",
        "--seed", "1", "--examples", "8", "--report-dir", str(reports), *options,
        "--", "-p", "no:xdist", "-p", "no:cacheprovider",
    ]  # fmt: skip
    env = dict(os.environ)
    if cassettes is not None:
        env["HARNESS_CASSETTES"] = str(cassettes)
    done = subprocess.run(
        command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=180, check=False
    )
    file = reports / "acme-crm" / "results.json"
    assert file.is_file(), done.stdout + done.stderr
    results = json.loads(file.read_text())
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    return {check["name"]: check for check in results["checks"]}


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Results]:
    """A record-mode run into a temporary cassette folder (never cassettes/acme-crm)."""
    cassettes = tmp_path_factory.mktemp("cassettes")
    reports = tmp_path_factory.mktemp("record")
    return cassettes, _check(reports, "--mode", "record", cassettes=cassettes)


def test_both_workflows_pass_on_the_local_sandbox(tmp_path: Path) -> None:
    results = _check(tmp_path)
    assert set(results) == {"contactLifecycle", "dealForContact"}
    for name, steps in (("contactLifecycle", 3), ("dealForContact", 4)):
        check = results[name]
        assert check["outcome"] == "passed", check["message"]
        assert check["id"].endswith(f"integration.yaml::workflows::{name}")
        assert check["data"]["runs"] == check["data"]["passed_runs"] == 8
        assert check["data"]["steps_sent"] == 8 * steps
        assert f"succeeded on 8 generated input(s) ({steps} steps each" in check["message"]


def test_recording_writes_a_cassette_per_workflow(recorded: tuple[Path, Results]) -> None:
    cassettes, results = recorded
    assert all(check["outcome"] == "passed" for check in results.values()), results
    written = sorted(path.name for path in (cassettes / "acme-crm").rglob("*") if path.is_file())
    assert any("contactLifecycle" in name for name in written), written
    assert any("dealForContact" in name for name in written), written


def test_replay_passes_offline_with_the_recorded_inputs(
    recorded: tuple[Path, Results], tmp_path: Path
) -> None:
    cassettes, live = recorded
    replayed = _check(tmp_path, "--mode", "replay", cassettes=cassettes)
    for name, check in replayed.items():
        assert check["outcome"] == "passed", check["message"]
        assert check["data"]["steps_sent"] == live[name]["data"]["steps_sent"]
        assert check["data"]["seed"] == live[name]["data"]["seed"]
    # e-mail addresses are PII: scrubbed in the cassette, so those comparisons are not re-judged
    lifecycle = replayed["contactLifecycle"]
    assert lifecycle["data"]["taken_as_recorded"] == 8
    assert "comparison(s) with scrubbed PII taken as recorded" in lifecycle["message"]
