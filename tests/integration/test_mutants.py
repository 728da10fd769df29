"""Mutation score, fast subset: the unmutated proxy passes, and a few named vendor faults
across families are each caught by the check that should see them.

Each case is one ``harness check contracts/acme-crm`` run (a subprocess) with a mutating
proxy between harness and its local sandbox (tests/mutants/). The full catalogue runs with
``-m slow`` here (about ten minutes, so it is skipped otherwise), or as a table with
``python bench/mutants.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.checks import registry
from tests.mutants.catalogue import MUTANTS
from tests.mutants.mutant import BASELINE, Mutant
from tests.mutants.score import MutantRun, run_mutant

FAST = tuple(mutant for mutant in MUTANTS if mutant.fast)
SLOW = tuple(mutant for mutant in MUTANTS if not mutant.fast)
EXAMPLES = 5
TIMEOUT_S = 120.0


def _report(run: MutantRun) -> str:
    lines = [f"{run.mutant.name}: {run.mutant.doc}", f"run problem: {run.problem or 'none'}"]
    lines += [f"  {v.outcome:7} {v.id}: {v.message}" for v in run.verdicts]
    return "\n".join(lines)


def _selection(mutants: tuple[Mutant, ...]) -> tuple[tuple[str, ...], str]:
    """The families and -k expression that cover every check these mutants run."""
    families = tuple(sorted({family for mutant in mutants for family in mutant.families}))
    parts = [mutant.select or " or ".join(mutant.families) for mutant in mutants]
    return families, " or ".join(f"({part})" for part in parts)


def test_catalogue_is_named_documented_and_aimed_at_real_families() -> None:
    families = set(registry.families())
    names = [mutant.name for mutant in MUTANTS]
    assert len(names) == len(set(names)) >= 30
    for mutant in MUTANTS:
        assert mutant.doc, mutant.name
        assert mutant.families, mutant.name
        assert set(mutant.families) <= families, mutant.name
        assert mutant.expect.split("::")[0] in families, mutant.name
    covered = {family for mutant in MUTANTS for family in mutant.families}
    assert covered >= {"conformance", "auth", "errors", "ratelimit", "retry", "health"}
    assert covered >= {"mapping", "security", "compliance", "webhooks"}


def test_baseline_proxy_has_no_false_positive(tmp_path: Path) -> None:
    families, select = _selection(FAST)
    run = run_mutant(
        BASELINE,
        families=families,
        select=select,
        examples=EXAMPLES,
        report_dir=tmp_path,
        timeout_s=TIMEOUT_S,
    )
    assert not run.problem, _report(run)
    assert run.with_outcome("passed"), _report(run)
    broken = run.with_outcome("failed") + run.with_outcome("error")
    assert not broken, _report(run)


def _assert_caught(mutant: Mutant, report_dir: Path) -> None:
    run = run_mutant(mutant, examples=EXAMPLES, report_dir=report_dir, timeout_s=TIMEOUT_S)
    assert not run.problem, _report(run)
    assert run.caught_as_expected, f"{mutant.expect} did not fail\n{_report(run)}"


@pytest.mark.parametrize("mutant", FAST, ids=lambda mutant: mutant.name)
def test_fast_mutant_is_caught_by_its_check(mutant: Mutant, tmp_path: Path) -> None:
    _assert_caught(mutant, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("mutant", SLOW, ids=lambda mutant: mutant.name)
def test_mutant_is_caught_by_its_check(
    mutant: Mutant, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if "slow" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("the full catalogue runs with -m slow, or as a table: python bench/mutants.py")
    _assert_caught(mutant, tmp_path)
