"""Mutation score: how many named vendor faults harness catches, and its false positives.

A mutating HTTP proxy (tests/mutants/) sits between harness and the local sandbox of
acme-crm. For each mutant, ``harness check contracts/acme-crm`` runs the families that can
see it; the mutant is *caught* when at least one check fails. The unmutated proxy runs
first, over every family those mutants use: each check it fails is a false positive.

Run: ``python bench/mutants.py [--only NAME] [--seed 1] [--examples 10] [--list]``

Prints one line per mutant, then ``caught K/N, baseline false positives F``.
Exit status 0 when K = N and F = 0, else 1.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.mutants.catalogue import MUTANTS, mutant_named
from tests.mutants.mutant import BASELINE, Mutant
from tests.mutants.score import MutantRun, run_mutant


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", default=[], help="a mutant name; repeatable")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--examples", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds per harness run")
    parser.add_argument("--no-baseline", action="store_true", help="skip the baseline run")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    args = parser.parse_args(argv)
    try:
        mutants = [mutant_named(name) for name in args.only] if args.only else list(MUTANTS)
    except ValueError as exc:
        parser.error(str(exc))
    if args.list:
        for mutant in mutants:
            print(f"{mutant.name:32} {','.join(mutant.families):24} {mutant.doc}")
        return 0
    with tempfile.TemporaryDirectory(prefix="harness-mutants-") as scratch:
        run = _Runner(Path(scratch), seed=args.seed, examples=args.examples, timeout=args.timeout)
        false_positives = 0 if args.no_baseline else run.baseline(mutants)
        caught = sum(run.mutant(mutant) for mutant in mutants)
    print(f"caught {caught}/{len(mutants)}, baseline false positives {false_positives}")
    return 0 if caught == len(mutants) and false_positives == 0 else 1


class _Runner:
    def __init__(self, scratch: Path, *, seed: int, examples: int, timeout: float) -> None:
        self.scratch = scratch
        self.seed, self.examples, self.timeout = seed, examples, timeout
        self.false_positives: frozenset[str] = frozenset()

    def _run(self, mutant: Mutant, families: tuple[str, ...] | None = None) -> MutantRun:
        report_dir = self.scratch / mutant.name
        return run_mutant(
            mutant,
            families=families,
            report_dir=report_dir,
            seed=self.seed,
            examples=self.examples,
            timeout_s=self.timeout,
        )

    def baseline(self, mutants: list[Mutant]) -> int:
        """Run the unmutated proxy over every family the mutants use; print its failures."""
        families = tuple(sorted({family for mutant in mutants for family in mutant.families}))
        run = self._run(BASELINE, families)
        failed = run.with_outcome("failed") + run.with_outcome("error")
        status = "clean" if not failed and not run.problem else "FALSE POSITIVES"
        print(
            f"{'baseline':32} {status:8} {len(run.verdicts)} checks "
            f"({', '.join(families)}) in {run.duration_s:.0f} s {run.problem}".rstrip(),
            flush=True,
        )
        for verdict in failed:
            print(f"    {verdict.outcome} {verdict.id}: {verdict.message}", flush=True)
        self.false_positives = frozenset(verdict.id for verdict in failed)
        return len(failed) + (1 if run.problem else 0)

    def mutant(self, mutant: Mutant) -> bool:
        run = dataclasses.replace(self._run(mutant), baseline_failures=self.false_positives)
        print(describe(run), flush=True)
        return run.caught


def describe(run: MutantRun) -> str:
    """One line: caught or missed, the first failing check and its message."""
    mutant = run.mutant
    head = f"{mutant.name:32}"
    if run.problem:
        return f"{head} MISSED   run broke: {run.problem}"
    failure = run.first_failure()
    if failure is not None:
        label = "caught  " if run.caught_as_expected else "caught* "
        note = "" if run.caught_as_expected else f" [expected {mutant.expect}: {_expected(run)}]"
        return f"{head} {label} {failure.id}: {failure.message}{note}"
    client = [v.id for v in run.with_outcome("failed") if v.of_client]
    aside = f" [only checks of harness's own client failed: {', '.join(client)}]" if client else ""
    return f"{head} MISSED   {mutant.doc}; {_expected(run)}{aside}"


def _expected(run: MutantRun) -> str:
    """What the expected checks said instead: inconclusive and broken ones first."""
    verdicts = sorted(run.expected, key=lambda verdict: verdict.outcome == "passed")
    if not verdicts:
        errors = run.with_outcome("error")
        detail = f"; error {errors[0].id}: {errors[0].message}" if errors else ""
        return f"no such check ran{detail}"
    shown = []
    for verdict in verdicts[:2]:
        also = " on the baseline too" if verdict.id in run.baseline_failures else ""
        said = f" ({verdict.message})" if verdict.message else ""
        shown.append(f"{verdict.id} {verdict.outcome}{also}{said}")
    more = f" (+{len(verdicts) - 2} more)" if len(verdicts) > 2 else ""
    return "; ".join(shown) + more


if __name__ == "__main__":
    sys.exit(main())
