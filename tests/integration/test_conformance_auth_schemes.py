"""Conformance on every auth scheme: honest Reproduce lines, no credential false positives.

Each contract under tests/targets/auth_schemes/ serves the same widgets API from the local
sandbox with another scheme. A request sent the way conformance sends it must be
reproduced by its curl line, pasted into a shell with the contract's variables set, with
the same status; the line shows the contract's own scheme and nothing else.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.auth import NoAuth
from harness.checks.conformance.cases import send_case
from harness.checks.conformance.evidence import credential_variables, curl_line
from harness.checks.conformance.schema import schemathesis_schema
from harness.contract import load_contract
from harness.runner import Context, ContractRun
from harness.settings import RunSettings
from harness.transports.client import RequestNotSendable
from tests.support.servers import serve
from tests.targets.auth_schemes.expiring import build_app as build_expiring

TARGETS = Path(__file__).parents[1] / "targets" / "auth_schemes"
SHOWN = {  # what the Reproduce line must show for the scheme, and must not
    "api-key-header": (("X-API-Key: ", "${WIDGETS_KEY}"), ("Authorization",)),
    "api-key-query": (("api_key=", "${WIDGETS_KEY}"), ("Authorization", "X-API-Key")),
    "basic": (("-u", "widgets:", "${WIDGETS_PASSWORD}"), ("Bearer",)),
    "bearer": (("Authorization: Bearer ", "${WIDGETS_TOKEN}"), ("X-API-Key",)),
    "none": ((), ("Authorization", "X-API-Key", "api_key", " -u ")),
}


@pytest.fixture(params=sorted(SHOWN))
def context(request: pytest.FixtureRequest) -> Iterator[Context]:
    contract = load_contract(TARGETS / request.param)
    run = ContractRun(contract, RunSettings(seed=3))
    try:
        yield Context(run=run, check_id=f"{contract.id}::conformance::curl")
    finally:
        run.close()


def _replay(line: str, context: Context) -> int:
    """Run the curl line in a shell with the contract's variables exported."""
    env = {**os.environ, **credential_variables(context)}
    done = subprocess.run(
        ["sh", "-c", f"{line} -o /dev/null -w '%{{http_code}}'"],
        capture_output=True, text=True, env=env, timeout=20, check=True,
    )  # fmt: skip
    return int(done.stdout)


def test_reproduce_line_shows_the_scheme_and_gets_the_same_answer(context: Context) -> None:
    scheme = context.contract.info.id.removeprefix("widgets-")
    operation = schemathesis_schema(context).find_operation_by_id("listWidgets")
    sent = send_case(context, operation.Case(query={"limit": 2}))
    line = curl_line(sent, context)
    wanted, unwanted = SHOWN[scheme]
    for part in wanted:
        assert part in line, line
    for part in unwanted:
        assert part not in line, line
    assert sent.status == 200
    assert _replay(line, context) == sent.status
    for secret in context.secrets():
        assert secret not in line


def test_a_request_sent_without_credentials_is_reproduced_without(context: Context) -> None:
    if context.contract.auth is None or context.contract.auth.type == "none":
        pytest.skip("no credentials to leave out")
    operation = schemathesis_schema(context).find_operation_by_id("listWidgets")
    sent = send_case(context, operation.Case(query={}), auth=NoAuth())
    line = curl_line(sent, context)
    assert sent.status == 401
    assert "WIDGETS" not in line, line
    assert _replay(line, context) == 401


def test_a_missing_declared_key_is_sent_as_generated_not_repaired(tmp_path: Path) -> None:
    """The document declares the X-API-Key header: negative cases that drop or break it
    must reach the server that way, and are not reported as accepted invalid data."""
    report = tmp_path / "reports"
    done = subprocess.run(
        ["harness", "check", str(TARGETS / "api-key-declared"), "--family", "conformance",
         "--examples", "5", "--seed", "3", "--report-dir", str(report), "--", "-p", "no:xdist"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    results = json.loads((report / "widgets-api-key-declared" / "results.json").read_text())
    negative = [c for c in results["checks"] if c["name"].endswith("[negative]")]
    assert negative
    for check in negative:
        assert check["outcome"] in ("passed", "skipped"), (check["message"], done.stdout[-2000:])
        assert "accepted" not in check["message"]
    statuses = {s for c in negative for s in c["data"].get("statuses", {})}
    assert "401" in statuses  # the generated, keyless requests really went out keyless


def test_credentials_that_stop_working_mid_run_are_reported(tmp_path: Path) -> None:
    key = "key-that-expires"
    report = tmp_path / "reports"
    with serve(build_expiring(key, accepted=3), ready_path="/health") as base_url:
        subprocess.run(
            ["harness", "check", str(TARGETS / "api-key-header"), "--base-url", base_url,
             "--family", "conformance", "--examples", "10", "--seed", "3",
             "--report-dir", str(report), "--", "-p", "no:xdist", "-k", "listWidgets"],
            capture_output=True, text=True, timeout=300, check=False,
            env={**os.environ, "WIDGETS_KEY": key},
        )  # fmt: skip
    results = json.loads((report / "widgets-api-key-header" / "results.json").read_text())
    check = next(c for c in results["checks"] if c["name"] == "listWidgets")
    assert check["outcome"] == "error", check
    assert "stopped working mid-run" in check["message"]


@pytest.mark.parametrize("value", ["a\nb", "\x00", "caf\u00e9"])
def test_a_request_the_client_cannot_send_is_harness_s_limitation(value: str) -> None:
    contract = load_contract(TARGETS / "api-key-header")
    run = ContractRun(contract, RunSettings(seed=3))
    try:
        context = Context(run=run, check_id=f"{contract.id}::conformance::unsendable")
        operation = schemathesis_schema(context).find_operation_by_id("listWidgets")
        with pytest.raises(RequestNotSendable, match="harness's client cannot"):
            send_case(context, operation.Case(query={}, headers={"X-Note": value}))
    finally:
        run.close()
