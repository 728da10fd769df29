"""Benchmark: the conformance family on acme-crm against the local sandbox, over loopback.

In one run it measures
  * harness: every conformance check (positive and negative) with N examples per operation;
  * raw: a bare httpx loop sending the same number of requests to the same server;
  * schemathesis: its CLI on the same document, URL, token and example budget;
and prints JSON with requests/s of each, the ratio harness / raw, and where harness's time
goes (generation, validation, transport). A clean Hypothesis database is used (none).

Run: ``python bench/conformance.py [--examples 20] [--seed 1]``
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

import httpx

from harness import load_contract
from harness.checks import conformance
from harness.checks.base import RunSettings
from harness.results import Outcome
from harness.runner import ContractRun, run_check

CONTRACT = Path(__file__).parents[1] / "contracts" / "acme-crm"


def run_harness(run: ContractRun, sandbox: Any) -> dict[str, Any]:
    contract = run.contract
    before = len(sandbox.controls.requests)
    totals = {"generate_s": 0.0, "send_s": 0.0, "validate_s": 0.0}
    outcomes: dict[str, int] = {}
    start = time.perf_counter()
    for check in conformance.plan(contract):
        result = run_check(run, check, check.name)
        outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
        for key in totals:
            totals[key] += float(result.data.get(key, 0.0))
    elapsed = time.perf_counter() - start
    requests = len(sandbox.controls.requests) - before
    return {
        "requests": requests,
        "seconds": round(elapsed, 3),
        "rate": round(requests / elapsed, 1),
        "outcomes": outcomes,
        "time_split": {key: round(value / elapsed, 3) for key, value in totals.items()},
        "all_passed": outcomes.get(Outcome.PASSED, 0) == sum(outcomes.values()),
    }


def token_for(sandbox: Any) -> str:
    credentials = sandbox.credentials
    form = {
        "grant_type": "client_credentials",
        "client_id": credentials.client_id,
        "client_secret": credentials.client_secret.reveal(),
    }
    response = httpx.post(sandbox.base_url + "/oauth/token", data=form)
    token: str = response.json()["access_token"]
    return token


def run_raw(sandbox: Any, count: int) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token_for(sandbox)}", "X-API-Version": "1.0"}
    with httpx.Client(base_url=sandbox.base_url, headers=headers) as client:
        start = time.perf_counter()
        for _ in range(count):
            client.get("/contacts")
        elapsed = time.perf_counter() - start
    return _rate(count, elapsed)


def run_schemathesis(sandbox: Any, examples: int, seed: int) -> dict[str, Any]:
    before = len(sandbox.controls.requests)
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", str(CONTRACT / "openapi.yaml"),
        "--url", sandbox.base_url, "-H", f"Authorization: Bearer {token_for(sandbox)}",
        "--max-examples", str(examples), "--seed", str(seed), "--phases", "fuzzing",
        "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
        "response_schema_conformance,response_headers_conformance",
    ]  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        subprocess.run(
            command, capture_output=True, text=True, cwd=folder, timeout=600, check=False
        )
        elapsed = time.perf_counter() - start
    return _rate(len(sandbox.controls.requests) - before, elapsed)


def _rate(requests: int, seconds: float) -> dict[str, Any]:
    return {
        "requests": requests,
        "seconds": round(seconds, 3),
        "rate": round(requests / seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    contract = load_contract(CONTRACT)
    run = ContractRun(contract, RunSettings(examples=args.examples, seed=args.seed))
    sandbox = run.target()  # the local sandbox, started as harness check starts it
    try:
        harness_figures = run_harness(run, sandbox)
        raw = run_raw(sandbox, harness_figures["requests"])
        schemathesis_figures = run_schemathesis(sandbox, args.examples, args.seed)
    finally:
        run.close()
    report = {
        "examples_per_operation": args.examples,
        "harness": harness_figures,
        "raw_httpx": raw,
        "schemathesis_cli": schemathesis_figures,
        "ratio_harness_over_raw": round(harness_figures["rate"] / raw["rate"], 3),
        "ratio_harness_over_schemathesis": round(
            harness_figures["rate"] / max(schemathesis_figures["rate"], 0.1), 2
        ),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
