"""``harness check``: pytest with the plugin, plus a per-family summary table.

The command only translates its options into ``--harness-*`` flags; everything it does is
also available as ``pytest contracts/ --harness-...``.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.table import Table

from harness.contract import CONTRACT_FILE
from harness.errors import UsageError
from harness.results import CheckResult, Outcome

DEFAULT_ROOT = Path("contracts")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("contracts", nargs="*", metavar="CONTRACT_DIR")
    parser.add_argument("--env", dest="env", help="local (default) | sandbox | production | ...")
    parser.add_argument("--mode", choices=("live", "record", "replay"))
    parser.add_argument("--family", action="append", default=[], help="repeatable")
    parser.add_argument("--examples", type=int, help="generated examples per operation")
    parser.add_argument("--seed", type=int, help="reproduce a run")
    parser.add_argument("--report-dir", default="reports")
    parser.add_argument("--base-url", help="send requests here instead of the environment's")
    parser.add_argument("--allow-protected", action="store_true")
    parser.epilog = "Arguments after -- go to pytest unchanged."


def contract_files(targets: list[str]) -> list[str]:
    """The integration.yaml files named by the arguments (default: every one in contracts/)."""
    if not targets:
        if not DEFAULT_ROOT.is_dir():
            raise UsageError("no CONTRACT_DIR given and no contracts/ folder here")
        found = sorted(str(path) for path in DEFAULT_ROOT.glob(f"*/{CONTRACT_FILE}"))
        if not found:
            raise UsageError(f"no contracts/*/{CONTRACT_FILE} here; pass a CONTRACT_DIR")
        return found
    files = []
    for target in targets:
        path = Path(target)
        file = path / CONTRACT_FILE if path.is_dir() else path
        if not file.is_file():
            raise UsageError(f"{target}: no {CONTRACT_FILE} there")
        files.append(str(file))
    return files


def pytest_arguments(args: argparse.Namespace) -> list[str]:
    arguments = contract_files(args.contracts)
    pairs = [
        ("--harness-env", args.env),
        ("--harness-mode", args.mode),
        ("--harness-examples", args.examples),
        ("--harness-seed", args.seed),
        ("--harness-report-dir", args.report_dir),
        ("--harness-base-url", args.base_url),
    ]
    arguments += [f"{flag}={value}" for flag, value in pairs if value is not None]
    arguments += [f"--harness-family={family}" for family in args.family]
    if args.allow_protected:
        arguments.append("--allow-protected")
    # harness has imported what pytest would rewrite; checks do not rely on assert rewriting
    arguments += ["--assert=plain", "-p", "no:cacheprovider"]
    arguments.append(f"--junitxml={Path(args.report_dir) / 'junit.xml'}")
    return arguments + list(getattr(args, "pytest_args", []))


class _Summary:
    """Collects the results the plugin wrote, at the end of the session."""

    def __init__(self) -> None:
        self.results: list[CheckResult] = []

    def pytest_sessionfinish(self, session: Any) -> None:
        writer = session.config.pluginmanager.get_plugin("harness-results")
        if writer is not None:
            self.results = writer.all_results()


def run_check(args: argparse.Namespace) -> int:
    summary = _Summary()
    code = pytest.main(pytest_arguments(args), plugins=[summary])
    console = Console()
    if summary.results:
        console.print(render_summary(summary.results))
    failed = any(r.outcome in (Outcome.FAILED, Outcome.ERROR) for r in summary.results)
    if code == pytest.ExitCode.USAGE_ERROR:
        return 2
    if code == pytest.ExitCode.NO_TESTS_COLLECTED or (not summary.results and code == 0):
        console.print("[yellow]no checks ran[/yellow]")
        return 1
    return 0 if code == pytest.ExitCode.OK and not failed else 1


def render_summary(results: list[CheckResult]) -> Table:
    """A table: one row per integration and family, with outcome counts."""
    table = Table(title="harness check", show_lines=False)
    for column in ("integration", "family", "passed", "failed", "error", "skipped"):
        table.add_column(column, justify="left" if column in ("integration", "family") else "right")
    counts: dict[tuple[str, str], Counter[str]] = {}
    for result in results:
        counts.setdefault((result.integration, result.family), Counter())[result.outcome] += 1
    for (integration, family), counter in sorted(counts.items()):
        table.add_row(
            integration,
            family,
            _cell(counter[Outcome.PASSED], "green"),
            _cell(counter[Outcome.FAILED], "red"),
            _cell(counter[Outcome.ERROR], "red"),
            _cell(counter[Outcome.SKIPPED], "yellow"),
        )
    return table


def _cell(count: int, colour: str) -> str:
    return f"[{colour}]{count}[/{colour}]" if count else "0"
