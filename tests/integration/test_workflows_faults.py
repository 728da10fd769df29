"""A seeded fault in one workflow step fails exactly that workflow, with shrunk inputs.

tests/targets/workflow_faults serves Acme CRM's local sandbox behind one fault: createDeal
refuses a negative amount (which the schema allows). dealForContact must fail at createDeal
with the amount shrunk to '-0', and contactLifecycle (no deal) must still pass.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.servers import serve
from tests.targets.workflow_faults.app import build_app

ROOT = Path(__file__).parents[2]
TARGET = ROOT / "tests" / "targets" / "workflow_faults"
SECRET = "wf-faults-client-secret-5f1e9c"
Results = dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def secret_env() -> Iterator[dict[str, str]]:
    env = {"WORKFLOW_FAULTS_CLIENT_SECRET": SECRET}
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)  # the app reads the contract's variables as its credentials
    yield env
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory, secret_env: dict[str, str]) -> Results:
    reports = tmp_path_factory.mktemp("workflow-faults")
    with serve(build_app(), ready_path="/health") as base_url:
        command = [
            sys.executable, "-m", "harness.cli", "check", str(TARGET), "--env", "staging",
            "--family", "workflows", "--seed", "1", "--report-dir", str(reports),
            "--", "-p", "no:xdist", "-p", "no:cacheprovider",
        ]  # fmt: skip
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            env={**os.environ, **secret_env, "WORKFLOW_FAULTS_URL": base_url},
            cwd=ROOT,
            timeout=180,
            check=False,
        )
    file = reports / "workflow-faults" / "results.json"
    assert file.is_file(), done.stdout + done.stderr
    assert done.returncode == 1, done.stdout[-4000:] + done.stderr[-2000:]
    assert SECRET not in done.stdout + done.stderr
    return {check["name"]: check for check in json.loads(file.read_text())["checks"]}


def test_only_the_workflow_with_the_faulty_step_fails(results: Results) -> None:
    assert results["contactLifecycle"]["outcome"] == "passed", results["contactLifecycle"]
    assert results["dealForContact"]["outcome"] == "failed"


def test_the_failure_names_step_line_shrunk_input_and_status(results: Results) -> None:
    message = results["dealForContact"]["message"]
    first = message.splitlines()[0]
    assert first.startswith("workflow dealForContact fails at step createDeal when full_name = ")
    assert "amount = '-0' (shrunk" in first  # the smallest negative amount the pattern allows
    assert first.endswith("expected 201, got 422")
    arazzo = (ROOT / "contracts" / "acme-crm" / "workflows.arazzo.yaml").read_text()
    step_line = arazzo[: arazzo.index("- stepId: createDeal")].count("\n") + 1
    assert re.search(rf"Step: +createDeal \(createDeal: POST /deals\) at \S*workflows\.arazzo"
                     rf"\.yaml:{step_line}:\d+", message), message  # fmt: skip
    assert "Criterion: $statusCode == 201 at " in message
    assert '422 {"error": {"code": "ERR_NEGATIVE"' in message
    assert "--seed 1 reproduces the run" in message


def test_the_failure_carries_one_curl_line_per_step_sent(results: Results) -> None:
    check = results["dealForContact"]
    message = check["message"]
    assert "Reproduce (2 step request(s), in order):" in message
    curls = [item["curl"] for item in check["evidence"] if "curl" in item]
    assert [curl.split()[3:5] for curl in curls] == [
        ["POST", curls[0].split()[4]],
        ["POST", curls[1].split()[4]],
    ]
    assert curls[0].split()[4].endswith("/contacts")
    assert curls[1].split()[4].endswith("/deals")
    assert '"amount": "-0"' in curls[1]
    assert 'Bearer \'"${TOKEN}"' in curls[1]  # the issued token as a variable, never its value
    assert SECRET not in json.dumps(check)
    assert check["data"]["failed_runs"] >= 1
