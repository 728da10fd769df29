"""Benchmark: conformance on acme-crm, harness vs Schemathesis CLI vs a bare httpx loop.

Fair by construction:
  * one local sandbox, served by ``harness sandbox`` in its own process, rate limiting off;
  * harness and Schemathesis each run as a whole, cold process (imports, document loading
    and all), with the same document, credentials, example budget and seed;
  * requests are counted *at the server*, from the sandbox's request log
    (``/__harness__/requests``), never by the client under test.
Harness checks a copy of the contract without ``rate_limits`` (with them it would, rightly,
pace itself at the declared 60/min). ``--workers 2`` also runs harness under pytest-xdist
and Schemathesis with ``--workers 2`` (both cores).

``--repeat N`` runs each tool N times, alternating, and reports the median rate (a shared
machine's load varies from one minute to the next).

Run: ``python bench/conformance.py [--examples 20] [--seed 1] [--workers 1] [--repeat 1]``;
prints JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import yaml

CONTRACT = Path(__file__).parents[1] / "contracts" / "acme-crm"
ADMIN = "/__harness__"
TIMEOUT_S = 600


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def sandbox(env: dict[str, str], seed: int) -> Iterator[str]:
    """``harness sandbox`` in its own process; its base URL once it answers."""
    port = free_port()
    command = [sys.executable, "-m", "harness.cli", "sandbox", str(CONTRACT),
               "--port", str(port), "--seed", str(seed)]  # fmt: skip
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(base_url + ADMIN + "/health", timeout=1)
                break
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the sandbox did not start")
            time.sleep(0.1)
        httpx.post(base_url + ADMIN + "/ratelimit", json={"enforce": False}).raise_for_status()
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=10)


def served(base_url: str) -> int:
    """Requests the sandbox has logged since the last reset (admin requests excluded)."""
    return len(httpx.get(base_url + ADMIN + "/requests").json())


def reset(base_url: str) -> None:
    httpx.delete(base_url + ADMIN + "/requests").raise_for_status()


def unthrottled_copy(folder: Path) -> Path:
    """The contract without ``rate_limits``, beside copies of the documents it references."""
    target = folder / "acme-crm"
    shutil.copytree(CONTRACT, target)
    data = yaml.safe_load((target / "integration.yaml").read_text())
    data.pop("rate_limits", None)
    (target / "integration.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return target


def timed(command: list[str], base_url: str, env: dict[str, str], cwd: str) -> dict[str, Any]:
    reset(base_url)
    started = time.perf_counter()
    done = subprocess.run(
        command, capture_output=True, text=True, env=env, cwd=cwd, timeout=TIMEOUT_S, check=False
    )
    seconds = time.perf_counter() - started
    requests = served(base_url)
    return {
        "requests": requests,
        "seconds": round(seconds, 3),
        "rate": round(requests / seconds, 1),
        "exit_code": done.returncode,
        "summary": done.stdout.strip().splitlines()[-1:] if done.stdout.strip() else [],
    }


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median rate, with every run's rate beside it."""
    ordered = sorted(runs, key=lambda run: run["rate"])
    return {**ordered[len(ordered) // 2], "rates": [run["rate"] for run in runs]}


def token(base_url: str) -> str:
    response = httpx.post(base_url + ADMIN + "/tokens", json={})
    value: str = response.json()["access_token"]
    return value


def run_raw(base_url: str, count: int) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token(base_url)}", "X-API-Version": "1.0"}
    reset(base_url)
    with httpx.Client(base_url=base_url, headers=headers) as client:
        started = time.perf_counter()
        for _ in range(count):
            client.get("/contacts")
        seconds = time.perf_counter() - started
    requests = served(base_url)
    return {
        "requests": requests,
        "seconds": round(seconds, 3),
        "rate": round(requests / seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each tool; the median rate is reported"
    )
    args = parser.parse_args()
    env = {**os.environ, "ACME_CLIENT_SECRET": secrets.token_urlsafe(16)}
    with tempfile.TemporaryDirectory() as folder, sandbox(env, args.seed) as base_url:
        contract = unthrottled_copy(Path(folder))
        xdist = ["-n", str(args.workers)] if args.workers > 1 else ["-p", "no:xdist"]
        harness_command = [
            sys.executable, "-m", "harness.cli", "check", str(contract), "--env", "local",
            "--base-url", base_url, "--family", "conformance", "--examples", str(args.examples),
            "--seed", str(args.seed), "--report-dir", str(Path(folder) / "reports"), "--",
            *xdist,
        ]  # fmt: skip
        schemathesis_command = [
            sys.executable, "-m", "schemathesis.cli", "run", str(CONTRACT / "openapi.yaml"),
            "--url", base_url, "-H", f"Authorization: Bearer {token(base_url)}",
            "--max-examples", str(args.examples), "--seed", str(args.seed),
            "--workers", str(args.workers),
        ]  # fmt: skip
        harness_runs: list[dict[str, Any]] = []
        schemathesis_runs: list[dict[str, Any]] = []
        for _ in range(args.repeat):  # alternated, so that a busy spell hits both
            harness_runs.append(timed(harness_command, base_url, env, folder))
            schemathesis_runs.append(timed(schemathesis_command, base_url, env, folder))
        harness, schemathesis = median_run(harness_runs), median_run(schemathesis_runs)
        raw = run_raw(base_url, harness["requests"])
    report = {
        "examples_per_operation": args.examples,
        "workers": args.workers,
        "repeat": args.repeat,
        "harness": harness,
        "schemathesis_cli": schemathesis,
        "raw_httpx": raw,
        "ratio_harness_over_schemathesis": round(
            harness["rate"] / max(schemathesis["rate"], 0.1), 2
        ),
        "ratio_harness_over_raw": round(harness["rate"] / raw["rate"], 3),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
