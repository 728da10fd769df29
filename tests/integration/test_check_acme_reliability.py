"""acme-crm's errors, retry and ratelimit families pass against the local sandbox."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.checks.registry import plan_checks
from harness.contract import load_contract
from harness.results import CheckResult, Outcome
from harness.runner import ContractRun, run_check
from harness.settings import RunSettings

ACME = Path(__file__).parents[2] / "contracts" / "acme-crm"
FAMILIES = frozenset({"errors", "retry", "ratelimit"})


@pytest.fixture(scope="module")
def acme_run() -> Iterator[tuple[ContractRun, list[CheckResult]]]:
    contract = load_contract(ACME, environment="local")
    run = ContractRun(contract, RunSettings(families=FAMILIES, seed=11))
    try:
        results = [
            run_check(run, check, f"{check.family}::{check.name}")
            for check in plan_checks(contract, FAMILIES)
        ]
        yield run, results
    finally:
        run.close()


def test_every_check_passes_or_is_declared_untriggerable(
    acme_run: tuple[ContractRun, list[CheckResult]],
) -> None:
    _, results = acme_run
    outcomes = {result.id: (result.outcome, result.message) for result in results}
    assert {result.family for result in results} == FAMILIES
    assert outcomes.pop("errors::provoked[ERR_429]")[0] is Outcome.SKIPPED
    assert all(outcome is Outcome.PASSED for outcome, _ in outcomes.values()), outcomes


def test_probes_leave_the_sandbox_as_they_found_it(
    acme_run: tuple[ContractRun, list[CheckResult]],
) -> None:
    run, _ = acme_run
    controls = run.target().controls
    assert controls is not None
    assert not controls.rate_limits_enforced  # type: ignore[attr-defined]
    assert not controls.faults  # type: ignore[attr-defined]


def test_results_carry_declared_versus_observed(
    acme_run: tuple[ContractRun, list[CheckResult]],
) -> None:
    _, results = acme_run
    by_id = {result.id: result for result in results}
    probe = by_id["ratelimit::enforced[0]"].data
    assert probe["declared"] == {"limit": 60, "window_s": 60.0}
    assert probe["observed"]["allowed_before_429"] == 60
    assert probe["observed"]["sent"] <= 60 + 2
    coverage = by_id["errors::observed_errors_declared"].data
    assert set(coverage["declared"]) == set(coverage["provoked"])
    assert coverage["observed_undeclared"] == []
    assert by_id["retry::client_follows_policy"].data["backoff"].startswith("follows")


def test_the_sandbox_clock_is_put_back_after_the_probes(
    acme_run: tuple[ContractRun, list[CheckResult]],
) -> None:
    run, _ = acme_run
    controls = run.target().controls
    assert abs(controls.clock_offset_s) < 1  # type: ignore[union-attr]


@pytest.mark.parametrize("auth", ["invalid", "expired"])
def test_triggers_send_the_credentials_they_name(tmp_path: Path, auth: str) -> None:
    folder = tmp_path / "acme-crm"
    shutil.copytree(ACME, folder)
    text = (folder / "integration.yaml").read_text()
    old = "trigger: {operation: listContacts, auth: none}"
    assert old in text
    (folder / "integration.yaml").write_text(
        text.replace(old, f"trigger: {{operation: listContacts, auth: {auth}}}")
    )
    contract = load_contract(folder, environment="local")
    run = ContractRun(contract, RunSettings(families=frozenset({"errors"})))
    try:
        check = next(c for c in plan_checks(contract, {"errors"}) if c.name == "provoked[ERR_401]")
        result = run_check(run, check, "errors::provoked[ERR_401]")
        follow_up = run.client().call("listContacts")  # the shared client renews after expiry
    finally:
        run.close()
    assert result.outcome is Outcome.PASSED, result.message
    assert follow_up.status_code == 200
