"""acme-crm's two Arazzo workflows, 50 generated inputs each, against the local sandbox.

Runs the ``workflows`` family's own check function (Hypothesis inputs, the step runner, the
contract client) and times where the time goes:

- ``http_ms_per_step``: the HTTP exchange itself (httpx's transport: send, the sandbox's
  work, read the body);
- ``overhead_ms_per_step``: what harness adds to each step on top of it: building the
  request from runtime expressions, the contract client (auth, default headers, exchange
  recording), judging the success criteria, the outputs. Aim: under 2 ms.
- ``generation_ms_per_run``: Hypothesis drawing one set of inputs from the workflow's
  ``inputs`` schema (and its engine's bookkeeping), once per run, not per step.

The sandbox runs in a thread of this process (``running_sandbox``), as in ``harness check``.

    python -m bench.workflows [--examples 50]

Prints one JSON object per workflow and a summary line.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import httpx

from harness.checks.workflows import plan
from harness.contract import load_contract
from harness.sandbox import running_sandbox
from harness.settings import RunSettings
from harness.transports.client import HarnessClient

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT / "contracts" / "acme-crm"
AIM_MS = 2.0


class TimedTransport(httpx.BaseTransport):
    """httpx's own transport, timed: the HTTP exchange (body read included)."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.seconds = 0.0
        self.requests = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        began = time.perf_counter()
        response = self.inner.handle_request(request)
        response.read()
        self.seconds += time.perf_counter() - began
        self.requests += 1
        return response

    def close(self) -> None:
        self.inner.close()


class Runtime:
    """The part of ``CheckRuntime`` the workflows family uses, over one client."""

    def __init__(self, contract: Any, client: HarnessClient, examples: int, target: Any) -> None:
        self.contract, self._client, self.target = contract, client, target
        self.settings = RunSettings(examples=examples, seed=1)
        self.check_id, self.seed = "bench", 1

    def client(self, **options: Any) -> HarnessClient:
        return self._client

    def secrets(self) -> frozenset[str]:
        return self._client.secret_values()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=50)
    examples = parser.parse_args().examples
    contract = load_contract(str(CONTRACT))
    figures = []
    with running_sandbox(contract, seed=1, enforce_rate_limits=False) as sandbox:
        for check in plan(contract):
            transport = TimedTransport()
            with HarnessClient(
                contract,
                base_url=sandbox.base_url,
                credentials=sandbox.credentials,
                transport=transport,
                throttle=False,
            ) as client:
                client.call("getHealth")  # the token and the connection, outside the timing
                transport.seconds, transport.requests = 0.0, 0
                runtime = Runtime(contract, client, examples, target=sandbox)
                began = time.perf_counter()
                verdict = check.run(runtime)  # type: ignore[arg-type]
                total = time.perf_counter() - began
            assert verdict is not None, check.name
            assert verdict.outcome == "passed", verdict
            steps, runs = verdict.data["steps_sent"], verdict.data["runs"]
            runner_s = verdict.data["runner_s"]
            figures.append(
                {
                    "workflow": check.name,
                    "runs": runs,
                    "steps": steps,
                    "requests": transport.requests,
                    "total_s": round(total, 3),
                    "http_ms_per_step": round(transport.seconds / steps * 1000, 3),
                    "overhead_ms_per_step": round((runner_s - transport.seconds) / steps * 1000, 3),
                    "generation_ms_per_run": round((total - runner_s) / runs * 1000, 3),
                }
            )
            print(json.dumps(figures[-1]))
    worst = max(figure["overhead_ms_per_step"] for figure in figures)
    verdict_text = "ok" if worst < AIM_MS else "ABOVE AIM"
    print(
        json.dumps({"max_overhead_ms_per_step": worst, "aim_ms": AIM_MS, "verdict": verdict_text})
    )


if __name__ == "__main__":
    main()
