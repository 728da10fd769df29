"""Robustness figures: ``python bench/robustness.py [--sample N]`` (issue 18, "Proof").

Runs the fuzz and tamper tables of tests/robustness/ — mutated contracts and documents
(``documents``), tampered cassettes (``cassettes``), bad command lines (``cli``) — each
case with its expected clean outcome, and prints how many ended in a traceback, a hang or a
silent pass. All three must be 0; ``unexpected`` counts the other wrong outcomes (a wrong
exit code, a message that does not name the problem). ``--sample N`` runs a seeded sample of
N cases per table (CI); the default is every case. Exit 1 when any count is not 0.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ as a package

TABLES = ("documents", "cassettes", "cli")
BAD = ("tracebacks", "hangs", "silent_passes", "unexpected")


def run_table(name: str, sample: int | None) -> dict[str, int] | None:
    """The counts of one table, or None when its module does not exist (yet)."""
    try:
        module = importlib.import_module(f"tests.robustness.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"tests.robustness.{name}":
            raise
        return None
    counts: dict[str, int] = module.run(sample)
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, help="cases per table (default: all)")
    parser.add_argument("--only", choices=TABLES, action="append", help="run only this table")
    args = parser.parse_args()
    totals = dict.fromkeys(("cases", *BAD), 0)
    for name in args.only or TABLES:
        started = time.perf_counter()
        counts = run_table(name, args.sample)
        if counts is None:
            print(f"{name:10} (no tests/robustness/{name}.py yet)")
            continue
        for key in totals:
            totals[key] += counts.get(key, 0)
        figures = ", ".join(f"{key} {counts.get(key, 0)}" for key in ("cases", *BAD))
        print(f"{name:10} {figures}  ({time.perf_counter() - started:.0f} s)")
    print(
        f"tracebacks {totals['tracebacks']}, hangs {totals['hangs']}, "
        f"silent passes {totals['silent_passes']} "
        f"(unexpected {totals['unexpected']}, {totals['cases']} cases)"
    )
    return 1 if any(totals[key] for key in BAD) else 0


if __name__ == "__main__":
    sys.exit(main())
