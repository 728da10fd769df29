"""Every bad command line of tests/robustness/cli.py ends cleanly: its exit code, one line."""

from __future__ import annotations

import pytest

from tests.robustness import cli


@pytest.mark.parametrize("case", cli.cases(), ids=lambda case: case.name)
def test_bad_command_line_ends_cleanly(case: cli.Case) -> None:
    verdict = cli.judge(case, *cli.run_case(case))
    assert verdict == "ok", f"{case.name}: harness {' '.join(case.argv)} -> {verdict}"


def test_table_has_at_least_fifty_cases() -> None:
    assert len(cli.cases()) >= 50
