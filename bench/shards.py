"""Benchmark: two shards + merge give the verdicts of one run; merging 10,000 results is quick.

1. ``harness check contracts/acme-crm --seed S`` once, then as ``--shard 1/2`` and
   ``--shard 2/2`` into their own report folders, then ``harness report --merge``; compares
   every check's outcome, the counts, and health's status and family counts.
2. Merges synthetic shard folders holding ``--checks`` results (default 10,000) in total and
   times ``merge_reports`` (reading, checking, results.json, health, compliance, HTML, JUnit).

Prints JSON. Run: ``python bench/shards.py [--seed 1] [--checks 10000] [--skip-runs]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # run from anywhere: the project root, not bench/, first

from harness.reporting.history import History  # noqa: E402
from harness.reporting.merge import merge_reports  # noqa: E402
from harness.results import CheckResult, Outcome, render_results  # noqa: E402
from harness.shards import shard_key, shard_of  # noqa: E402

CONTRACT = "contracts/acme-crm"
INTEGRATION = "acme-crm"


def harness(*args: str, timeout_s: float = 900) -> float:
    """Run the harness command; its wall time in seconds."""
    executable = Path(sys.executable).with_name("harness")
    started = time.perf_counter()
    subprocess.run(
        [str(executable), *args], cwd=ROOT, capture_output=True, timeout=timeout_s, check=False
    )
    return time.perf_counter() - started


def verdicts(folder: Path) -> dict[str, Any]:
    document = json.loads((folder / INTEGRATION / "results.json").read_text(encoding="utf-8"))
    health = json.loads((folder / INTEGRATION / "health.json").read_text(encoding="utf-8"))
    return {
        "counts": document["counts"],
        "outcomes": {check["id"]: check["outcome"] for check in document["checks"]},
        "status": health["status"],
        "families": health["families"],
    }


def compare_runs(seed: int, work: Path) -> dict[str, Any]:
    single = harness("check", CONTRACT, "--seed", str(seed), "--report-dir", str(work / "one"))
    times = []
    for index in (1, 2):
        folder = str(work / f"shard{index}")
        shard = f"{index}/2"
        times.append(
            harness(
                "check", CONTRACT, "--seed", str(seed), "--shard", shard, "--report-dir", folder
            )
        )
    merge = harness(
        "report", "--merge", str(work / "shard1"), str(work / "shard2"), "--out", str(work / "all")
    )
    one, merged = verdicts(work / "one"), verdicts(work / "all")
    differing = sorted(
        check
        for check in one["outcomes"].keys() | merged["outcomes"].keys()
        if one["outcomes"].get(check) != merged["outcomes"].get(check)
    )
    return {
        "single_run_s": round(single, 1),
        "shard_runs_s": [round(t, 1) for t in times],
        "merge_command_s": round(merge, 2),
        "single_counts": one["counts"],
        "merged_counts": merged["counts"],
        "status": [one["status"], merged["status"]],
        "same_verdicts": not differing and one["families"] == merged["families"],
        "differing_checks": differing,
    }


def synthetic_shards(total: int, work: Path) -> list[Path]:
    """Two shard folders holding ``total`` results of one run, sliced as --shard would."""
    run = {"started": "2026-12-01T00:00:00+00:00", "environment": "local", "mode": "live",
           "seed": 1, "examples": 20, "families": [], "complete": True}  # fmt: skip
    outcomes = (Outcome.PASSED, Outcome.PASSED, Outcome.PASSED, Outcome.SKIPPED, Outcome.FAILED)
    by_shard: dict[int, list[CheckResult]] = {1: [], 2: []}
    for index in range(total):
        family, name = f"family{index % 12}", f"check{index}"
        by_shard[shard_of(shard_key(INTEGRATION, family, name), 2)].append(
            CheckResult(
                id=f"contracts/{INTEGRATION}/integration.yaml::{family}::{name}",
                integration=INTEGRATION,
                family=family,
                name=name,
                outcome=outcomes[index % len(outcomes)],
                duration_s=0.01,
                message=f"observed {index}",
                data={
                    "exchanges": [
                        {
                            "operation": "op",
                            "method": "GET",
                            "status": 200,
                            "elapsed_ms": float(index % 97),
                            "error": False,
                        }
                    ]
                },
            )
        )
    folders = []
    for shard, results in by_shard.items():
        folder = work / f"synthetic{shard}"
        path = folder / INTEGRATION / "results.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_results(INTEGRATION, {**run, "shard": f"{shard}/2"}, results))
        folders.append(folder)
    return folders


def time_merge(total: int, work: Path) -> dict[str, Any]:
    folders = synthetic_shards(total, work)
    started = time.perf_counter()
    written = merge_reports(folders, work / "merged", history=History(work / "h.sqlite"))
    elapsed = time.perf_counter() - started
    counts = json.loads((work / "merged" / INTEGRATION / "results.json").read_text())["counts"]
    return {
        "checks": total,
        "merge_s": round(elapsed, 3),
        "under_2_s": elapsed < 2.0,
        "counts": counts,
        "status": written[0].health["status"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--checks", type=int, default=10_000)
    parser.add_argument("--skip-runs", action="store_true", help="only time the merge")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="harness-bench-shards-") as temporary:
        work = Path(temporary)
        report: dict[str, Any] = {"merge_10k": time_merge(args.checks, work)}
        if not args.skip_runs:
            report["acme_crm_two_shards"] = compare_runs(args.seed, work)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
