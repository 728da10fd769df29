"""Seeded faults for the security and compliance families: each fails exactly its check.

tests/targets/security_faults/app.py serves the contract's vendor, faulty or correct. With
the faults, exactly the five claims they break fail; against the correct vendor only the
contract's own static fault (plain-http production) remains. Contract hygiene (an old
changelog, an overdue task) is skipped with the finding, and fails only when asked for.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.servers import serve
from tests.targets.security_faults.app import build_app

CONTRACT = Path(__file__).parents[1] / "targets" / "security_faults"
ID = "security-faults"
STATIC = {"security::https_in_production": "uses 'http://contacts.leaky.example/v1'"}
SEEDED = {
    **STATIC,
    "security::no_secret_in_files": "notes.txt:1: the value of a secret variable",
    "security::pii_not_exposed[contact]": "answered 400 with a declared PII value",
    "security::no_undeclared_fields[contact]": "undeclared field(s) ['internal_score']",
    "compliance::api_version_matches": "reports API version 2.0.0 (body field version)",
}
HYGIENE = {"compliance::changelog_has_version", "compliance::maintenance[rotate-key]"}


def _run(reports: Path, *, faulty: bool, extra: tuple[str, ...] = ()) -> dict[str, dict]:
    key = secrets.token_urlsafe(12)
    folder = reports / ID
    folder.mkdir(parents=True)
    if faulty:  # a report someone pasted a credential into: what no_secret_in_files is for
        (folder / "notes.txt").write_text(f"debug: X-API-Key {key}\n")
    with serve(build_app(key, faulty=faulty), ready_path="/health") as base_url:
        command = [
            sys.executable, "-m", "harness.cli", "check", str(CONTRACT), "--env", "staging",
            "--seed", "3", "--family", "security", "--family", "compliance",
            "--report-dir", str(reports), "--", "-p", "no:xdist", *extra,
        ]  # fmt: skip
        env = {**os.environ, "LEAKY_URL": base_url, "LEAKY_API_KEY": key}
        done = subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=300, check=False
        )
    document = json.loads((folder / "results.json").read_text())
    checks = {f"{c['family']}::{c['name']}": c for c in document["checks"]}
    checks["__exit__"] = {"code": done.returncode, "output": done.stdout + done.stderr}
    return checks


def _failed(checks: dict[str, dict]) -> dict[str, str]:
    return {
        name: check["message"]
        for name, check in checks.items()
        if name != "__exit__" and check["outcome"] in ("failed", "error")
    }


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    return _run(tmp_path_factory.mktemp("faulty"), faulty=True)


def test_each_seeded_fault_fails_its_check_and_nothing_else(faulty: dict[str, dict]) -> None:
    failed = _failed(faulty)
    assert set(failed) == set(SEEDED), failed
    for name, expected in SEEDED.items():
        assert expected in failed[name], (name, failed[name])
    assert faulty["__exit__"]["code"] == 1


def test_contract_hygiene_is_skipped_with_the_finding(faulty: dict[str, dict]) -> None:
    for name in HYGIENE:
        assert faulty[name]["outcome"] == "skipped"
        assert faulty[name]["message"].startswith("contract hygiene: ")
    assert "overdue by" in faulty["compliance::maintenance[rotate-key]"]["message"]
    passed = {name for name, check in faulty.items() if check.get("outcome") == "passed"}
    assert passed == {
        "compliance::not_deprecated",
        "compliance::pii_governed",
        "compliance::required_sections",
        "security::credentials_not_echoed",  # its refusals do not quote the key
    }


def test_the_correct_vendor_passes_what_the_faulty_one_failed(tmp_path: Path) -> None:
    checks = _run(tmp_path, faulty=False)
    assert set(_failed(checks)) == set(STATIC)
    for name in set(SEEDED) - set(STATIC):
        assert checks[name]["outcome"] == "passed", (name, checks[name]["message"])


def test_strict_contract_fails_the_hygiene_findings_too(tmp_path: Path) -> None:
    checks = _run(tmp_path, faulty=False, extra=("--harness-strict-contract",))
    assert set(_failed(checks)) == set(STATIC) | HYGIENE
