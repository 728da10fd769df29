"""harness is installed in projects that do not use it: it must stay out of their way."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness.contract import CONTRACT_FILE
from harness.discovery import CONTRACT_FILE as DISCOVERED_FILE
from harness.discovery import has_harness_key

ROOT = Path(__file__).parents[2]
ACME = ROOT / "contracts" / "acme-crm"
DEPLOY = "name: deploy\nsteps:\n  - run: make\n"


def test_unrelated_integration_yaml_is_not_collected(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", integration=DEPLOY)
    (pytester.path / "ci").mkdir()
    (pytester.path / "ci" / "integration.yaml").write_text(DEPLOY)
    pytester.makepyfile(test_one="def test_one():\n    assert 1 + 1 == 2\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    assert "harness 0." not in result.stdout.str()  # no header line
    assert "error" not in result.stdout.str()
    assert not (pytester.path / "reports").exists()  # nothing written either


def test_contract_is_collected_only_with_its_harness_key(pytester: pytest.Pytester) -> None:
    target = pytester.path / "contracts" / "acme-crm"
    shutil.copytree(ACME, target)
    ids = pytester.runpytest("contracts", "--collect-only", "-q").stdout.lines
    assert "contracts/acme-crm/integration.yaml::health::getHealth" in ids


def test_configured_path_is_collected_even_without_the_key(pytester: pytest.Pytester) -> None:
    (pytester.path / "ours").mkdir()
    (pytester.path / "ours" / "integration.yaml").write_text(DEPLOY)
    pytester.makeini("[pytest]\nharness_contracts = ours\n")
    result = pytester.runpytest("ours")
    result.assert_outcomes(errors=1)  # collected, and the loader says why it is no contract
    assert "harness" in result.stdout.str()
    assert "Traceback" not in result.stdout.str()


def test_a_file_named_on_the_command_line_is_collected(pytester: pytest.Pytester) -> None:
    (pytester.path / "integration.yaml").write_text(DEPLOY)
    result = pytester.runpytest("integration.yaml")
    result.assert_outcomes(errors=1)
    assert "invalid contract" in result.stdout.str()


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("harness: 1\ninfo: {}\n", True),
        ("# comment\n\nharness: 1\n", True),
        ('"harness": 1\n', True),
        ("\ufeffharness: 1\n", True),
        ("{harness: 1, info: {}}\n", True),
        ("info:\n  harness: 1\n", False),  # nested: not the top level
        ("name: deploy\n# harness: 1\n", False),
        ("harnesses: 2\n", False),
        ("", False),
    ],
)
def test_harness_key_is_found_without_parsing(tmp_path: Path, head: str, expected: bool) -> None:
    path = tmp_path / "integration.yaml"
    path.write_text(head, encoding="utf-8")
    assert has_harness_key(path) is expected


def test_discovery_names_the_loaders_contract_file() -> None:
    assert DISCOVERED_FILE == CONTRACT_FILE


def test_importing_the_plugin_leaves_the_heavy_stack_unloaded() -> None:
    """What makes the plugin cost seconds is imported once harness is used, not before."""
    heavy = ("schemathesis", "hypothesis", "starlette", "harness.checks", "harness.contract")
    code = (
        "import sys, harness.plugin; "
        f"print(' '.join(name for name in {heavy!r} if name in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == ""
