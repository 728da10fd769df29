"""Benchmark: verifying a 100-interaction pact against the local sandbox, harness vs the
Pact CLI verifier (issue 15: harness within 2x of the CLI on the same pact and target).

Fair by construction: one acme-crm local sandbox (in this process, rate limiting off), one
pact file (harness's acme-crm export, its 13 interactions repeated under new descriptions up
to ``--interactions``), the same state URL with teardown, and each tool timed as a user pays
for it: harness's ``verify_pacts`` (what the ``pact`` family runs: pact-python's Verifier,
in-process) and the CLI as a process (``pact-verifier``, from .ci/node_modules or PATH).
``--repeat N`` alternates the tools N times and reports medians.

Run: ``python bench/pact_verify.py [--interactions 100] [--repeat 3]``; prints JSON; exit 1 when
harness is more than 2x slower than the CLI, 2 when the CLI is not installed.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

# This file is named like the pact package it benchmarks: keep bench/ off the import path.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))  # imports below: after the path is fixed

from harness import load_contract  # noqa: E402
from harness.pact.build import pact_of, write_pact  # noqa: E402
from harness.pact.expected import expected_interactions  # noqa: E402
from harness.pact.states import STATE_PATH  # noqa: E402
from harness.pact.verify import verify_pacts  # noqa: E402
from harness.sandbox import running_sandbox  # noqa: E402

ROOT = Path(__file__).parents[1]
CONTRACT = ROOT / "contracts" / "acme-crm"


def build_pact(count: int, folder: Path) -> Path:
    contract = load_contract(CONTRACT)
    base = expected_interactions(contract)
    many = [
        dataclasses.replace(
            base[i % len(base)], description=f"{base[i % len(base)].description} #{i}"
        )
        for i in range(count)
    ]
    pact = pact_of("bench-consumer", contract.id, many, document=contract.document.raw)  # type: ignore[union-attr]
    return write_pact(pact, folder)


def cli_verifier() -> str | None:
    local = ROOT / ".ci" / "node_modules" / ".bin" / "pact-verifier"
    return str(local) if local.exists() else shutil.which("pact-verifier")


def time_cli(verifier: str, pact: Path, base_url: str) -> tuple[float, bool]:
    port = base_url.rsplit(":", 1)[1]
    start = time.perf_counter()
    done = subprocess.run(
        [verifier, "-f", str(pact), "-h", "127.0.0.1", "-p", port, "-n", "acme-crm",
         "--state-change-url", base_url + STATE_PATH, "--state-change-teardown", "--no-colour"],
        capture_output=True, text=True, timeout=600, check=False,
        env={**os.environ, "PACT_DO_NOT_TRACK": "true"},
    )  # fmt: skip
    return time.perf_counter() - start, done.returncode == 0


def time_harness(pact: Path, base_url: str) -> tuple[float, bool]:
    with _quiet_stdout():  # the Rust verifier prints its report: keep stdout for our JSON
        start = time.perf_counter()
        run = verify_pacts([pact], provider="acme-crm", base_url=base_url,
                           state_url=base_url + STATE_PATH)  # fmt: skip
        elapsed = time.perf_counter() - start
    return elapsed, all(result.passed for result in run.results)


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 1)
        try:
            yield
        finally:
            os.dup2(saved, 1)
            os.close(saved)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    verifier = cli_verifier()
    if verifier is None:
        print(json.dumps({"error": "pact-verifier not installed (see .ci/run)"}))
        return 2
    contract = load_contract(CONTRACT)
    with tempfile.TemporaryDirectory() as folder:
        pact = build_pact(args.interactions, Path(folder))
        harness_s, cli_s, green = [], [], True
        with running_sandbox(contract, enforce_rate_limits=False) as sandbox:
            for _ in range(args.repeat):
                elapsed, ok = time_harness(pact, sandbox.base_url)
                harness_s.append(elapsed)
                green &= ok
                elapsed, ok = time_cli(verifier, pact, sandbox.base_url)
                cli_s.append(elapsed)
                green &= ok
    harness_median, cli_median = statistics.median(harness_s), statistics.median(cli_s)
    ratio = harness_median / cli_median
    print(json.dumps({
        "interactions": args.interactions,
        "repeat": args.repeat,
        "harness_s": round(harness_median, 3),
        "pact_cli_s": round(cli_median, 3),
        "ratio": round(ratio, 2),
        "all_green": green,
        "samples": {"harness_s": [round(s, 3) for s in harness_s],
                    "pact_cli_s": [round(s, 3) for s in cli_s]},
    }, indent=2))  # fmt: skip
    return 0 if ratio <= 2 and green else 1


if __name__ == "__main__":
    sys.exit(main())
