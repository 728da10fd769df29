"""The pact harness exports for acme-crm verifies green against the acme-crm local sandbox
with tools nobody here wrote: pact-python's ``Verifier`` and the Pact CLI verifier (npm
``@pact-foundation/pact-cli``, installed into .ci/node_modules by .ci/run)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from pact import Verifier

from harness import load_contract
from harness.contract import Contract
from harness.pact.export import export_pact
from harness.pact.states import STATE_PATH
from harness.sandbox import Sandbox, running_sandbox

ROOT = Path(__file__).parents[2]
ACME = ROOT / "contracts" / "acme-crm"
CLI_VERIFIER = "pact-verifier"


@pytest.fixture(scope="module")
def contract() -> Contract:
    return load_contract(ACME)


@pytest.fixture(scope="module")
def sandbox(contract: Contract) -> Iterator[Sandbox]:
    with running_sandbox(contract) as running:  # rate limits on, as `harness sandbox` serves
        yield running


@pytest.fixture(scope="module")
def exported(contract: Contract, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_pact(contract, tmp_path_factory.mktemp("pacts"))


def _pact_python(pact: Path, sandbox: Sandbox, *, teardown: bool) -> dict[str, object]:
    verifier = (
        Verifier("acme-crm", host="127.0.0.1")
        .add_transport(url=sandbox.base_url)
        .add_source(pact)
        .state_handler(sandbox.base_url + STATE_PATH, teardown=teardown, body=True)
    )
    verifier.verify()  # raises when any interaction fails
    results: dict[str, object] = verifier.results
    return results


@pytest.mark.parametrize("teardown", [False, True])
def test_pact_python_verifier_is_green(exported: Path, sandbox: Sandbox, teardown: bool) -> None:
    results = _pact_python(exported, sandbox, teardown=teardown)
    outcomes = [item["result"] for item in results["interactionResults"]]  # type: ignore[index,union-attr]
    assert outcomes == ["OK"] * 13, results["errors"]


def test_pact_from_cassettes_is_green_too(
    contract: Contract, sandbox: Sandbox, tmp_path: Path
) -> None:
    pact = export_pact(contract, tmp_path, cassettes=ROOT / "cassettes" / "acme-crm")
    results = _pact_python(pact, sandbox, teardown=False)
    assert results["result"] is True, results["errors"]


def _cli_verifier() -> str | None:
    local = ROOT / ".ci" / "node_modules" / ".bin" / CLI_VERIFIER
    return str(local) if local.exists() else shutil.which(CLI_VERIFIER)


def test_pact_cli_verifier_is_green(exported: Path, sandbox: Sandbox, tmp_path: Path) -> None:
    verifier = _cli_verifier()
    if verifier is None:
        pytest.skip(
            "the Pact CLI verifier is not installed (.ci/run installs @pact-foundation/pact-cli "
            "into .ci/node_modules; or: npm install --prefix .ci @pact-foundation/pact-cli)"
        )
    port = sandbox.base_url.rsplit(":", 1)[1]
    report = tmp_path / "report.json"
    done = subprocess.run(
        [
            verifier, "-f", str(exported), "-h", "127.0.0.1", "-p", port, "-n", "acme-crm",
            "--state-change-url", sandbox.base_url + STATE_PATH, "--state-change-teardown",
            "--no-colour", "-j", str(report),
        ],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "PACT_DO_NOT_TRACK": "true"},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    results = json.loads(report.read_text())
    assert results["result"] is True
    assert len(results["interactionResults"]) == 13


def test_the_pact_family_verifies_the_listed_pacts_on_the_local_sandbox(
    contract: Contract, tmp_path: Path
) -> None:
    copy = tmp_path / "acme-crm"
    shutil.copytree(ACME, copy)
    data = yaml.safe_load((copy / "integration.yaml").read_text())
    data["pacts"] = [{"path": "pacts"}]
    (copy / "integration.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    export_pact(contract, copy / "pacts")
    reports = tmp_path / "reports"
    done = subprocess.run(
        [sys.executable, "-m", "harness.cli", "check", str(copy), "--family", "pact",
         "--report-dir", str(reports), "--", "-p", "no:xdist"],
        capture_output=True, text=True, timeout=120, check=False, cwd=ROOT,
    )  # fmt: skip
    results = json.loads((reports / "acme-crm" / "results.json").read_text())
    outcomes = {check["name"]: check["outcome"] for check in results["checks"]}
    assert len(outcomes) == 13, outcomes
    assert set(outcomes.values()) == {"passed"}, done.stdout[-3000:]
    assert done.returncode == 0
