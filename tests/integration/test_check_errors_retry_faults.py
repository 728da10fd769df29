"""Seeded-fault targets for the errors and retry families: each fails exactly its checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.servers import serve
from tests.targets.errors_faults.app import build_app as errors_app
from tests.targets.retry_faults.app import build_app as retry_app

TARGETS = Path(__file__).parents[1] / "targets"
Results = dict[str, dict[str, Any]]

ERRORS_EXPECTED = {
    # ERR_400 renamed to E_BAD_NAME
    "errors::provoked[ERR_400]": "body error.code is 'E_BAD_NAME', expected 'ERR_400'",
    # ERR_404 answered with 410
    "errors::provoked[ERR_404]": "status 410, expected 404",
    # the renamed code maps to no declared one
    "errors::observed_errors_declared": "E_BAD_NAME",
}
RETRY_EXPECTED = {
    # getLying: Retry-After 1, still refused after waiting it
    "ratelimit::enforced[1]": "still 429 after waiting the 1 s Retry-After",
    # getGarbled: Retry-After: soon
    "ratelimit::enforced[2]": "no valid Retry-After",
    "retry::retry_after_sent": "getGarbled -> 429",
    # createOrder: a second order for the same Idempotency-Key
    "retry::idempotency_honoured": "got 201 then 201 with a different body",
}


def _run(
    app: Callable[[], Any], folder: str, variable: str, families: tuple[str, ...], reports: Path
) -> Results:
    contract = TARGETS / folder
    with serve(app(), ready_path="/health") as base_url:
        command = [
            sys.executable, "-m", "harness.cli", "check", str(contract), "--env", "staging",
            *(f"--family={family}" for family in families),
            "--report-dir", str(reports), "--", "-p", "no:xdist",
        ]  # fmt: skip
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            env={**os.environ, variable: base_url},
            timeout=180,
            check=False,
        )
    found = [path / "results.json" for path in reports.iterdir()]
    files = [path for path in found if path.is_file()]
    assert files, done.stdout + done.stderr
    results = json.loads(files[0].read_text())
    by_name = {f"{c['family']}::{c['name']}": c for c in results["checks"]}
    assert by_name, done.stdout + done.stderr
    assert done.returncode == 1, done.stdout + done.stderr
    return by_name


@pytest.fixture(scope="module")
def errors_run(tmp_path_factory: pytest.TempPathFactory) -> Results:
    reports = tmp_path_factory.mktemp("errors")
    return _run(errors_app, "errors_faults", "ERRORS_URL", ("errors",), reports)


@pytest.fixture(scope="module")
def retry_run(tmp_path_factory: pytest.TempPathFactory) -> Results:
    reports = tmp_path_factory.mktemp("retry")
    return _run(retry_app, "retry_faults", "RETRY_URL", ("ratelimit", "retry"), reports)


def _failures(results: Results) -> dict[str, str]:
    return {
        name: str(check["message"])
        for name, check in results.items()
        if check["outcome"] not in ("passed", "skipped")
    }


@pytest.mark.parametrize("name", sorted(ERRORS_EXPECTED))
def test_each_errors_fault_fails_its_check(errors_run: Results, name: str) -> None:
    assert errors_run[name]["outcome"] == "failed", errors_run[name]["message"]
    assert ERRORS_EXPECTED[name] in errors_run[name]["message"]


def test_nothing_else_fails_on_the_errors_target(errors_run: Results) -> None:
    assert set(_failures(errors_run)) == set(ERRORS_EXPECTED)
    assert errors_run["errors::provoked[ERR_409]"]["outcome"] == "passed"


@pytest.mark.parametrize("name", sorted(RETRY_EXPECTED))
def test_each_retry_fault_fails_its_check(retry_run: Results, name: str) -> None:
    assert retry_run[name]["outcome"] == "failed", retry_run[name]["message"]
    assert RETRY_EXPECTED[name] in retry_run[name]["message"]


def test_nothing_else_fails_on_the_retry_target(retry_run: Results) -> None:
    assert set(_failures(retry_run)) == set(RETRY_EXPECTED)
    sent = retry_run["retry::retry_after_sent"]
    assert "getFine" not in sent["message"]
    assert "getLying" not in sent["message"]  # a valid value: ratelimit judges what it is worth
    assert {j["operation"] for j in sent["data"]["judged"]} == {"getFine", "getLying", "getGarbled"}
    client = retry_run["retry::client_follows_policy"]
    assert client["outcome"] == "skipped"  # a check of harness's own client: local only
    assert "local sandbox" in client["message"]
