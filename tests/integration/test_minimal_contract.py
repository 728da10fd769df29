"""A minimal contract over a correct vendor is green; contract hygiene is not a vendor failure.

tests/targets/minimal declares only harness, info, type, environments and api, over the local
sandbox serving its document. What the contract leaves out (owner, support, changelog, ...)
is contract hygiene: ``harness lint`` warns (errors with --strict), the run skips those
checks with the finding as reason, and only ``--harness-strict-contract`` turns them red.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

CONTRACT = Path(__file__).parents[1] / "targets" / "minimal"
HYGIENE = {"compliance::required_sections", "compliance::changelog_has_version"}


def _harness(*arguments: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "harness.cli", *arguments]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


def _check(reports: Path, *extra: str) -> tuple[int, dict[str, dict[str, str]]]:
    done = _harness(
        "check", str(CONTRACT), "--seed", "1", "--examples", "5",
        "--report-dir", str(reports), *extra,
    )  # fmt: skip
    document = json.loads((reports / "minimal" / "results.json").read_text())
    checks = {f"{c['family']}::{c['name']}": c for c in document["checks"]}
    return done.returncode, checks


def test_a_minimal_contract_over_a_correct_vendor_is_green(tmp_path: Path) -> None:
    code, checks = _check(tmp_path)
    bad = {name: c["message"] for name, c in checks.items() if c["outcome"] in ("failed", "error")}
    assert (code, bad) == (0, {})
    for name in HYGIENE:
        assert checks[name]["outcome"] == "skipped"
        assert checks[name]["message"].startswith("contract hygiene: ")
        assert checks[name]["data"]["contract_hygiene"] is True
    assert (
        "changelog has no entry for version 1.0.0"
        in (checks["compliance::changelog_has_version"]["message"])
    )
    assert any(c["outcome"] == "passed" for n, c in checks.items() if n.startswith("conformance"))
    compliance = json.loads((tmp_path / "minimal" / "compliance.json").read_text())
    warned = {item["id"] for item in compliance["requirements"] if item["status"] == "warning"}
    assert warned == {name.replace("::", ".") for name in HYGIENE}
    health = json.loads((tmp_path / "minimal" / "health.json").read_text())
    assert health["status"] == "healthy", health["rule"]


def test_strict_contract_makes_hygiene_findings_fail(tmp_path: Path) -> None:
    code, checks = _check(tmp_path, "--family", "compliance", "--", "--harness-strict-contract")
    failed = {name for name, c in checks.items() if c["outcome"] == "failed"}
    assert (code, failed) == (1, HYGIENE)


@pytest.mark.parametrize(("strict", "code"), [((), 0), (("--strict",), 1)])
def test_lint_warns_about_hygiene_and_strict_makes_it_an_error(
    strict: tuple[str, ...], code: int
) -> None:
    done = _harness("lint", str(CONTRACT), *strict)
    assert done.returncode == code, done.stdout + done.stderr
    severity = "error" if strict else "warning"
    assert f"{severity}: the changelog has no entry for version 1.0.0" in done.stdout
    assert f"{severity}: required section missing: info.owner" in done.stdout
