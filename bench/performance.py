"""Benchmark: does the load probe deliver the rate it is asked for, and what does it measure?

Runs the performance family's probe (``run_probe``) against acme-crm's local sandbox (uvicorn
on 127.0.0.1, in a thread; its rate limits off) at several arrival rates, and prints JSON:
asked vs completed requests/s and the latency figures. On a 2-core machine the sandbox and
the probe share the CPU, so the highest rates measure the machine, not the probe.

Run: ``python bench/performance.py [--rates 10,20,50,100] [--requests 100] [--clients 4]``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # run from anywhere: the project root, not bench/, first

from harness.checks.performance.checks import probe_operations  # noqa: E402
from harness.checks.performance.probe import run_probe  # noqa: E402
from harness.checks.performance.spec import LoadPlan  # noqa: E402
from harness.contract import load_contract  # noqa: E402
from harness.sandbox import running_sandbox  # noqa: E402
from harness.transports.client import HarnessClient  # noqa: E402
from harness.transports.exchange import Exchange  # noqa: E402


def measure(rates: list[float], requests: int, clients: int) -> list[dict[str, Any]]:
    contract = load_contract(ROOT / "contracts" / "acme-crm", environment="local")
    operations = probe_operations(contract)
    rows = []
    with running_sandbox(contract, seed=0, enforce_rate_limits=False) as sandbox:
        exchanges: list[Exchange] = []
        client = HarnessClient(
            contract,
            base_url=sandbox.base_url,
            credentials=sandbox.credentials,
            retry=False,
            throttle=False,
            record=exchanges.append,
        )
        with client:
            client.call(operations[0])  # warm up: token, connection
            for rate in rates:
                plan = LoadPlan(rate_rps=rate, clients=clients, requests=requests, seconds=60)
                result = run_probe(plan, operations, client.call, lambda: exchanges)
                figures = result.figures()
                rows.append(
                    {
                        "asked_rps": rate,
                        "completed_rps": figures["throughput_rps"],
                        "requests": figures["requests"],
                        "errors": figures["errors"],
                        "p50_ms": figures["p50_ms"],
                        "p95_ms": figures["p95_ms"],
                        "p99_ms": figures["p99_ms"],
                    }
                )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="10,20,50,100")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    rates = [float(part) for part in args.rates.split(",") if part]
    rows = measure(rates, args.requests, args.clients)
    print(json.dumps({"operations": "acme-crm local sandbox", "probe": rows}, indent=2))


if __name__ == "__main__":
    main()
