"""What harness costs a project that does not use it: ``python bench/plugin_import.py``.

pytest loads every installed plugin, so harness's plugin is imported in every pytest run of
every project where harness is installed. Prints (medians of --runs):

- the import of ``harness.plugin`` alone, with pytest already imported (``-X importtime``);
- ``pytest`` in a throwaway project with one test and a non-harness ``integration.yaml``,
  with harness's plugin and without it (``-p no:harness``), and the difference.

Aim (issue 18 §5): under 0.3 s.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TIMEOUT_S = 120


def plugin_import_s() -> float:
    """Seconds to import harness.plugin once pytest is loaded (pytest's own cost excluded)."""
    code = "import pytest; import harness.plugin"
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True, text=True, timeout=TIMEOUT_S, check=True,
    )  # fmt: skip
    match = re.search(r"\|\s*(\d+)\s*\|\s*harness\.plugin$", done.stderr, re.MULTILINE)
    if match is None:
        raise SystemExit("harness.plugin missing from -X importtime's output")
    return int(match.group(1)) / 1e6


def pytest_s(project: Path, *extra: str) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra],
        cwd=project, capture_output=True, timeout=TIMEOUT_S, check=True,
    )  # fmt: skip
    return time.perf_counter() - start


def make_project(folder: Path) -> Path:
    (folder / "tests").mkdir()
    (folder / "tests" / "test_one.py").write_text("def test_one():\n    assert 1 + 1 == 2\n")
    (folder / "integration.yaml").write_text("name: deploy\nsteps:\n  - run: make\n")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    imports = statistics.median(plugin_import_s() for _ in range(runs))
    with tempfile.TemporaryDirectory() as folder:
        project = make_project(Path(folder))
        with_plugin, without = [], []
        for _ in range(runs):  # interleaved, so that load on the machine hits both alike
            with_plugin.append(pytest_s(project))
            without.append(pytest_s(project, "-p", "no:harness"))
    added = statistics.median(with_plugin) - statistics.median(without)
    print(f"import harness.plugin (pytest loaded): {imports:.3f} s")
    print(f"pytest with harness:    {statistics.median(with_plugin):.2f} s (median of {runs})")
    print(f"pytest without harness: {statistics.median(without):.2f} s")
    print(f"added by harness:       {added:+.2f} s (aim: under 0.3 s)")


if __name__ == "__main__":
    main()
