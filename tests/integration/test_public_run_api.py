"""``harness.check`` gives the verdicts ``harness check`` gives, without pytest."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import harness
from harness.errors import UsageError

ROOT = Path(__file__).resolve().parents[2]
ACME = "contracts/acme-crm"
FAMILIES = ("health", "auth", "config", "compliance")


def test_the_api_and_the_cli_agree_check_by_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # check ids (and so seeds) are named from the current directory
    api = harness.check(ACME, families=set(FAMILIES), seed=1, report_dir=tmp_path / "api")
    flags = [arg for name in FAMILIES for arg in ("--family", name)]
    done = subprocess.run(
        [sys.executable, "-m", "harness.cli", "check", ACME, *flags, "--seed", "1",
         "--report-dir", str(tmp_path / "cli")],
        cwd=ROOT, env={**os.environ}, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    cli = json.loads((tmp_path / "cli" / "acme-crm" / "results.json").read_text())
    assert {(c["id"], c["outcome"]) for c in cli["checks"]} == {
        (r.id, str(r.outcome)) for r in api.results
    }
    assert api.ok, api.summary()
    assert api.counts["passed"] > 10
    written = json.loads((tmp_path / "api" / "acme-crm" / "results.json").read_text())
    assert written["counts"] == api.counts
    assert written["run"]["complete"] is True


def test_bad_arguments_are_usage_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    with pytest.raises(UsageError, match="unknown check family 'nope'"):
        harness.check(ACME, families={"nope"})
    with pytest.raises(UsageError, match="mode must be one of"):
        harness.check(ACME, mode="sideways")
