"""The plugin as users meet it: collection, ids, markers, options, errors, results."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).parents[2]
ACME = ROOT / "contracts" / "acme-crm"
RESULTS_SCHEMA = json.loads((ROOT / "harness" / "results.schema.json").read_text())


@pytest.fixture
def secrets_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_CLIENT_SECRET", "cs-plugin-test-1234")
    monkeypatch.setenv("ACME_WEBHOOK_SECRET", "whsec_cGx1Z2luLXRlc3Qtd2ViaG9vaw==")


@pytest.fixture
def acme(pytester: pytest.Pytester) -> Path:
    target = pytester.path / "contracts" / "acme-crm"
    shutil.copytree(ACME, target)
    return target


def test_ids_read_like_contract_family_claim(pytester: pytest.Pytester, acme: Path) -> None:
    result = pytester.runpytest("contracts", "--collect-only", "-q")
    ids = result.stdout.lines
    assert "contracts/acme-crm/integration.yaml::conformance::createContact" in ids
    assert "contracts/acme-crm/integration.yaml::conformance::createContact[negative]" in ids
    assert "contracts/acme-crm/integration.yaml::health::getHealth" in ids
    assert "contracts/acme-crm/integration.yaml::auth::token_issued" in ids
    assert "contracts/acme-crm/integration.yaml::config::timeout" in ids


def test_family_option_and_marker_select_the_same_items(
    pytester: pytest.Pytester, acme: Path
) -> None:
    by_option = pytester.runpytest("contracts", "--collect-only", "-q", "--harness-family", "auth")
    by_marker = pytester.runpytest("contracts", "--collect-only", "-q", "-m", "harness_auth")
    chosen = [line for line in by_option.stdout.lines if "::" in line]
    marked = [line for line in by_marker.stdout.lines if "::" in line]
    assert chosen
    assert all("::auth::" in line for line in chosen)
    assert chosen == marked


def test_broken_contract_is_a_collection_error_with_its_line(
    pytester: pytest.Pytester, acme: Path
) -> None:
    text = (acme / "integration.yaml").read_text().replace("rate_limits:", "rate_limit:")
    (acme / "integration.yaml").write_text(text)
    result = pytester.runpytest("contracts")
    result.assert_outcomes(errors=1)
    output = result.stdout.str()
    assert "unknown key 'rate_limit' in the top level" in output
    assert "did you mean 'rate_limits'?" in output
    assert "integration.yaml:" in output
    assert "Traceback" not in output


def test_bad_option_is_a_usage_error(pytester: pytest.Pytester, acme: Path) -> None:
    result = pytester.runpytest("contracts", "--harness-family", "autth")
    assert result.ret != 0
    assert "did you mean 'auth'?" in result.stderr.str() + result.stdout.str()
    assert "INTERNALERROR" not in result.stderr.str() + result.stdout.str()
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_harness_check_exits_2_on_a_bad_option() -> None:
    import subprocess
    import sys

    command = [sys.executable, "-m", "harness.cli", "check", str(ACME), "--examples", "0"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2
    assert "--harness-examples must be at least 1, got 0" in done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.usefixtures("secrets_set")
def test_unreachable_target_errors_every_check_once(pytester: pytest.Pytester, acme: Path) -> None:
    result = pytester.runpytest(
        "contracts", "--harness-env", "sandbox", "--harness-base-url", "http://127.0.0.1:9",
        "--harness-family", "health", "--harness-family", "config",
    )  # fmt: skip
    outcomes = result.parseoutcomes()
    assert outcomes.get("errors", 0) >= 1
    assert "failed" not in outcomes
    assert "target unavailable" in result.stdout.str()


@pytest.mark.usefixtures("secrets_set")
def test_protected_environment_refuses_fuzzing_and_writes(
    pytester: pytest.Pytester, acme: Path
) -> None:
    from harness import load_contract
    from harness.sandbox import running_sandbox

    contract = load_contract(acme)
    with running_sandbox(contract, enforce_rate_limits=False) as sandbox:
        result = pytester.runpytest(
            "contracts", "--harness-env", "production", "--harness-base-url", sandbox.base_url,
            "--harness-family", "conformance", "-rs",
        )  # fmt: skip
    outcomes = result.parseoutcomes()
    assert outcomes.get("skipped", 0) == 23  # 11 operations x 2, and the stateful sequences
    assert "protected; pass --allow-protected to run it anyway" in result.stdout.str()


def test_results_json_has_documented_shape(pytester: pytest.Pytester, acme: Path) -> None:
    result = pytester.runpytest(
        "contracts", "--harness-family", "health", "--harness-family", "auth",
        "--harness-report-dir", "out", "--harness-seed", "3",
    )  # fmt: skip
    result.assert_outcomes(passed=15)
    document = json.loads((pytester.path / "out" / "acme-crm" / "results.json").read_text())
    jsonschema.validate(document, RESULTS_SCHEMA)
    assert document["run"]["seed"] == 3
    assert document["counts"]["passed"] == 15
    ids = {check["id"] for check in document["checks"]}
    assert "contracts/acme-crm/integration.yaml::health::getHealth" in ids


def test_xdist_workers_merge_into_one_results_file(pytester: pytest.Pytester, acme: Path) -> None:
    args = ("contracts", "--harness-family", "auth", "--harness-seed", "5")
    serial = pytester.runpytest(*args, "--harness-report-dir", "serial")
    parallel = pytester.runpytest(*args, "--harness-report-dir", "parallel", "-n", "2")
    assert serial.parseoutcomes() == parallel.parseoutcomes()

    def verdicts(folder: str) -> dict[str, str]:
        document = json.loads((pytester.path / folder / "acme-crm" / "results.json").read_text())
        return {check["id"]: check["outcome"] for check in document["checks"]}

    assert verdicts("serial") == verdicts("parallel")
    assert len(verdicts("parallel")) == 14
