"""Same verdicts however harness is installed (issue 18 §4): wheel vs editable install.

The wheel is built from this tree (``pip wheel --no-deps``) and installed with
``pip install --no-deps`` into a fresh venv that borrows the current venv's
site-packages for the dependencies (a ``.pth`` line: fast, no download). Both installs then
run ``harness check contracts/acme-crm --seed 1`` from a folder that holds only a copy of
``contracts/`` — no ``suites`` package, no ``harness`` source next to it — and must give
every check the same outcome.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
TIMEOUT_S = 600


def _run(command: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT_S, check=False
    )
    assert done.returncode in (0, 1), f"{command}: exit {done.returncode}\n{done.stderr[-3000:]}"
    return done.stdout + done.stderr


def _clean_environment() -> dict[str, str]:
    """No PYTHONPATH, no Hypothesis profile of the test run: what a user's shell has."""
    drop = {"PYTHONPATH", "HYPOTHESIS_PROFILE", "PYTEST_XDIST_WORKER", "PYTEST_ADDOPTS"}
    return {name: value for name, value in os.environ.items() if name not in drop}


def _wheel_venv(tmp_path: Path) -> Path:
    wheels = tmp_path / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
         cwd=tmp_path)  # fmt: skip
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp_path)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout.strip()  # fmt: skip
    # The dependencies, borrowed: a .pth line adds the current site-packages after the venv's
    # own, and .pth files there (the editable install's finder) are not processed.
    (Path(site) / "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    wheel = next(wheels.glob("harness-*.whl"))
    _run([str(python), "-m", "pip", "install", "--no-deps", "-q", str(wheel)], cwd=tmp_path)
    return venv


def _verdicts(command: list[str], folder: Path, env: dict[str, str]) -> dict[str, str]:
    shutil.copytree(ROOT / "contracts", folder / "contracts")
    output = _run([*command, "check", "contracts/acme-crm", "--seed", "1"], cwd=folder, env=env)
    document = json.loads((folder / "reports" / "acme-crm" / "results.json").read_text())
    assert document["checks"], output[-3000:]
    return {check["id"]: check["outcome"] for check in document["checks"]}


@pytest.mark.slow
def test_wheel_and_editable_installs_give_the_same_verdicts(tmp_path: Path) -> None:
    env = _clean_environment()
    venv = _wheel_venv(tmp_path)
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import harness; print(harness.__file__)"],
        capture_output=True, text=True, timeout=60, check=True, env=env, cwd=tmp_path,
    ).stdout  # fmt: skip
    assert str(venv) in where, f"the venv imports harness from {where}, not from the wheel"

    from_wheel = _verdicts([str(venv / "bin" / "harness")], tmp_path / "wheel", env)
    editable = _verdicts([sys.executable, "-m", "harness.cli"], tmp_path / "editable", env)

    differ = {
        check: (outcome, editable.get(check))
        for check, outcome in from_wheel.items()
        if editable.get(check) != outcome
    }
    assert not differ, f"wheel vs editable: {json.dumps(differ, indent=1)}"
    assert set(from_wheel) == set(editable)
    handler = [check for check in from_wheel if "::webhooks::handler[" in check]
    assert handler
    assert all(from_wheel[check] == "skipped" for check in handler)  # no suites/ here
