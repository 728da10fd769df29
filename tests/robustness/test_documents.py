"""Mutated contracts and documents (tests/robustness/documents.py) end cleanly.

CI runs a fast sample: a seeded 25 of the cases through lint, and two through lint and
check (a legal recursive type a check must not hang on, and a ``$ref`` cycle it must refuse).
``bench/robustness.py`` runs every case through both.
"""

from __future__ import annotations

import pytest

from tests.robustness import documents


def test_table_has_at_least_three_hundred_cases() -> None:
    table = documents.cases()

    assert len(table) >= 300
    assert len({case.name for case in table}) == len(table)
    assert sum(case.expect == "error" for case in table) >= 50


def test_a_lint_sample_ends_cleanly() -> None:
    counts = documents.run(25, check=False)

    assert counts == {
        "cases": 25, "tracebacks": 0, "hangs": 0, "silent_passes": 0, "unexpected": 0,
    }  # fmt: skip


@pytest.mark.parametrize("name", ["tiny/recursion-legal/0", "swagger/cycle-ref-chain/0"])
def test_lint_and_check_end_cleanly(name: str) -> None:
    [case] = [case for case in documents.cases() if case.name == name]

    result = documents.outcome(case)

    assert documents.judge(case, result) == "ok", result.lint_text + result.check_text[-2000:]
    assert result.check_code == (0 if case.expect == "ok" else 2)
