"""``harness check --shard K/N`` + ``harness report --merge``: one run's verdicts, from two jobs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parents[2].resolve()
FAMILIES = ("health", "performance", "auth", "compliance", "security", "config")


def _harness(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harness.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _check(report_dir: Path, *extra: str, seed: str = "3") -> None:
    families = [part for family in FAMILIES for part in ("--family", family)]
    done = _harness(
        "check", "contracts/acme-crm", "--seed", seed, "--report-dir", str(report_dir),
        *families, *extra, "--", "-p", "no:xdist",
    )  # fmt: skip
    assert (report_dir / "acme-crm" / "results.json").is_file(), done.stdout + done.stderr


def _results(report_dir: Path) -> dict[str, Any]:
    return json.loads((report_dir / "acme-crm" / "results.json").read_text())


def test_two_shards_merge_to_the_single_runs_verdicts(tmp_path: Path) -> None:
    _check(tmp_path / "one")
    _check(tmp_path / "s1", "--shard", "1/2")
    _check(tmp_path / "s2", "--shard", "2/2")
    first, second = _results(tmp_path / "s1"), _results(tmp_path / "s2")
    assert first["run"]["shard"] == "1/2"
    ids = [{c["id"] for c in r["checks"]} for r in (first, second)]
    assert ids[0]
    assert ids[1]
    assert not ids[0] & ids[1]  # exactly one shard per check
    done = _harness(
        "report",
        "--merge",
        str(tmp_path / "s1"),
        str(tmp_path / "s2"),
        "--out",
        str(tmp_path / "m"),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    single, merged = _results(tmp_path / "one"), _results(tmp_path / "m")
    assert merged["counts"] == single["counts"]
    outcome = [{c["id"]: c["outcome"] for c in r["checks"]} for r in (single, merged)]
    assert outcome[0] == outcome[1]
    health = [
        json.loads((d / "acme-crm" / "health.json").read_text())
        for d in (tmp_path / "one", tmp_path / "m")
    ]
    assert health[0]["status"] == health[1]["status"]
    assert health[0]["families"] == health[1]["families"]
    assert "performance" in health[1]
    junit = (tmp_path / "m" / "junit.xml").read_text()
    assert f'tests="{sum(single["counts"].values())}"' in junit
    assert (tmp_path / "m" / "acme-crm" / "report.html").is_file()
    # A shard of another run (another seed) is refused, saying why and what to do.
    _check(tmp_path / "other", "--shard", "2/2", seed="4")
    refused = _harness(
        "report",
        "--merge",
        str(tmp_path / "s1"),
        str(tmp_path / "other"),
        "--out",
        str(tmp_path / "x"),
    )
    assert refused.returncode == 2
    assert "are not shards of one run: seed 3 vs 4" in refused.stderr + refused.stdout
    assert "Traceback" not in refused.stderr


def test_a_bad_shard_is_a_usage_error(tmp_path: Path) -> None:
    done = _harness("check", "contracts/acme-crm", "--shard", "3/2", "--report-dir", str(tmp_path))
    assert done.returncode == 2
    assert "--harness-shard 3/2: K must be 1 to N (2)" in done.stdout + done.stderr
