"""Conformance against a server with seeded faults (tests/targets/conformance_faults).

Harness and Schemathesis's own CLI run on the same document, target, API key, example
budget and seed; harness must find at least every distinct (path, failure kind) that
Schemathesis finds, and treat a dropped connection as a finding about the request that
caused it, never as "target unreachable".
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.servers import serve
from tests.targets.conformance_faults.app import build_app

CONTRACT = Path(__file__).parents[1] / "targets" / "conformance_faults"
EXAMPLES, SEED = "15", "7"
PATHS = {  # operationId → path, as the document declares them
    "getHealth": "/health",
    "listGadgets": "/gadgets",
    "createGadget": "/gadgets",
    "getGadget": "/gadgets/{gadget_id}",
    "setLabel": "/gadgets/{gadget_id}/label",
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    key = secrets.token_urlsafe(16)
    reports = tmp_path_factory.mktemp("reports")
    with serve(build_app(key), ready_path="/health") as base_url:
        env = {**os.environ, "GADGETS_URL": base_url, "GADGETS_KEY": key}
        harness = subprocess.run(
            [sys.executable, "-m", "harness.cli", "check", str(CONTRACT), "--env", "staging",
             "--examples", EXAMPLES, "--seed", SEED, "--family", "conformance",
             "--report-dir", str(reports / "harness"), "--", "-p", "no:xdist"],
            capture_output=True, text=True, env=env, timeout=300, check=False,
        )  # fmt: skip
        schemathesis = _run_schemathesis(base_url, key, reports / "st", env)
    results = json.loads((reports / "harness" / "conformance-faults" / "results.json").read_text())
    assert key not in harness.stdout + harness.stderr
    return {
        "checks": {check["name"]: check for check in results["checks"]},
        "schemathesis": schemathesis,
        "base_url": base_url,
    }


def _run_schemathesis(base_url: str, key: str, out: Path, env: dict[str, str]) -> dict[str, Any]:
    st = shutil.which("st", path=str(Path(sys.executable).parent)) or "st"
    subprocess.run(
        [st, "run", str(CONTRACT / "openapi.yaml"), "--url", base_url,
         "-H", f"X-API-Key: {key}", "-n", EXAMPLES, "--seed", SEED,
         "--report", "json", "--report-dir", str(out)],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    report = next(out.glob("*.json"))
    found: dict[str, Any] = json.loads(report.read_text())
    return found


#: Schemathesis's stateful failures and the per-operation finding harness reports for them.
EQUIVALENT = {"EnsureResourceAvailability": "ResourceUnavailable"}


def _schemathesis_findings(report: dict[str, Any]) -> set[tuple[str, str]]:
    found = set()
    for failure in report["failures"]:
        for label in failure["operations"]:
            method, _, path = label.partition(" ")
            kind = failure["type"]
            # A failure of a stateful sequence is labelled with the phase, not an operation.
            found.add(("*" if method == "Stateful" else path, EQUIVALENT.get(kind, kind)))
    return found


def _harness_findings(checks: dict[str, Any]) -> set[tuple[str, str]]:
    found = set()
    for name, check in checks.items():
        operation = name.removesuffix("[negative]")
        if check["outcome"] != "failed" or operation not in PATHS:
            continue
        for kind in check["data"].get("findings", []):
            found |= {(PATHS[operation], kind), ("*", kind)}
    return found


def test_harness_finds_a_superset_of_schemathesis(runs: dict[str, Any]) -> None:
    theirs = _schemathesis_findings(runs["schemathesis"])
    ours = _harness_findings(runs["checks"])
    assert theirs, "Schemathesis found nothing: the seeded faults are gone"
    assert theirs <= ours, f"missed: {sorted(theirs - ours)}; harness found {sorted(ours)}"


def test_a_dropped_connection_is_a_finding_naming_the_request(runs: dict[str, Any]) -> None:
    check = runs["checks"]["createGadget"]
    assert check["outcome"] == "failed", check
    assert "closed the connection" in check["message"]
    assert '"size":7' in check["message"].replace(" ", "")
    assert "unreachable" not in check["message"]
    assert "TargetCrashed" in check["data"]["findings"]


def test_a_resource_just_created_but_not_found_fails(runs: dict[str, Any]) -> None:
    check = runs["checks"]["getGadget"]
    assert check["outcome"] == "failed", check
    assert "had just created the resource" in check["message"]
    assert "ResourceUnavailable" in check["data"]["findings"]


def test_positive_checks_report_what_they_reached(runs: dict[str, Any]) -> None:
    check = runs["checks"]["listGadgets"]
    assert check["outcome"] == "passed", check
    assert "reached 2xx in" in check["message"]
    assert check["data"]["statuses"]["200"] >= 1


def test_reproduce_lines_use_the_api_key_header(runs: dict[str, Any]) -> None:
    failed = [c for c in runs["checks"].values() if c["outcome"] == "failed"]
    lines = [line for c in failed for line in c["message"].splitlines() if "Reproduce:" in line]
    assert lines
    for line in lines:
        assert "X-API-Key: " in line, line
        assert "${GADGETS_KEY}" in line, line
        assert "Bearer" not in line, line
