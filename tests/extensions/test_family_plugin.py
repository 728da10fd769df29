"""A family added from outside harness, through the ``harness.families`` entry point.

``installed_plugin`` writes what ``pip install`` of a user package would leave on
``sys.path``: a ``*.dist-info`` folder whose ``entry_points.txt`` names the family. Nothing in
harness is edited: the registry finds it, ``harness.check`` and ``harness check --family`` run
it, and its verdicts land in results.json like any built-in family's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import harness
from harness.checks import registry
from harness.errors import UsageError

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
ACME = ROOT / "contracts" / "acme-crm"


def _dist_info(site: Path, name: str, entry: str) -> None:
    info = site / f"{name}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[harness.families]\n{entry}\n")


@pytest.fixture
def installed_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    site = tmp_path / "site"
    _dist_info(site, "example_family", "sla = example_family:FAMILY")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.syspath_prepend(str(HERE))  # where example_family.py lives
    registry.families.cache_clear()
    yield site
    registry.families.cache_clear()


def test_the_registry_lists_a_plugin_family_after_the_builtins(installed_plugin: Path) -> None:
    names = list(registry.families())
    assert "sla" in names
    assert names[-1] == "errors"  # families that read the run's exchanges still run last
    assert registry.family("sla").severity == "critical"


def test_harness_check_runs_the_plugin_family(installed_plugin: Path) -> None:
    result = harness.check(ACME, families={"sla"}, seed=1)
    [sla] = result.of("sla")
    assert sla.name == "health_within_p95"
    assert sla.outcome == "passed", sla.message
    assert "health answered in" in sla.message
    assert "integration.yaml" in (sla.contract_line or "")


def test_the_cli_runs_the_plugin_family(installed_plugin: Path, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(installed_plugin), str(HERE), str(ROOT)]),
    }
    reports = tmp_path / "reports"
    done = subprocess.run(
        [sys.executable, "-m", "harness.cli", "check", str(ACME), "--family", "sla",
         "--seed", "1", "--report-dir", str(reports)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    results = json.loads((reports / "acme-crm" / "results.json").read_text())
    assert [(c["family"], c["name"], c["outcome"]) for c in results["checks"]] == [
        ("sla", "health_within_p95", "passed")
    ]


def test_a_broken_entry_point_is_a_usage_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    _dist_info(site, "broken_family", "broken = no_such_module_anywhere:FAMILY")
    monkeypatch.syspath_prepend(str(site))
    registry.families.cache_clear()
    try:
        with pytest.raises(UsageError, match=r"'broken'.*could not be loaded"):
            registry.families()
    finally:
        registry.families.cache_clear()


def test_a_plugin_cannot_take_a_builtin_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    _dist_info(site, "shadow_family", "health = example_family:FAMILY")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.syspath_prepend(str(HERE))
    monkeypatch.setattr("example_family.FAMILY", _renamed("health"), raising=False)
    registry.families.cache_clear()
    try:
        with pytest.raises(UsageError, match="already exists"):
            registry.families()
    finally:
        registry.families.cache_clear()


def _renamed(name: str) -> registry.Family:
    import dataclasses

    import example_family

    return dataclasses.replace(example_family.FAMILY, name=name)
