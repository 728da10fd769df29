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
import yaml
from rich.console import Console
from rich.table import Table

from harness.contract import CONTRACT_FILE
from harness.errors import UsageError
from harness.options import MAX_SEED, writable_folder
from harness.reporting.coverage import hollow_coverage
from harness.results import CheckResult, Outcome
from harness.runner import CUT_KEY

DEFAULT_ROOT = Path("contracts")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("contracts", nargs="*", metavar="CONTRACT_DIR")
    parser.add_argument("--env", dest="env", help="local (default) | sandbox | production | ...")
    parser.add_argument("--mode", choices=("live", "record", "replay"))
    parser.add_argument("--family", action="append", default=[], help="repeatable")
    parser.add_argument("--examples", type=_whole, help="generated examples per operation")
    parser.add_argument("--seed", type=seed_argument, help="reproduce a run")
    parser.add_argument("--report-dir", default="reports")
    parser.add_argument("--base-url", help="send requests here instead of the environment's")
    parser.add_argument("--allow-protected", action="store_true")
    parser.add_argument(
        "--max-time", metavar="SECONDS", help="time for the whole run; later checks are skipped"
    )
    parser.add_argument(
        "--check-timeout", metavar="SECONDS", help="time one check may take before it is cut"
    )
    parser.add_argument(
        "--shard", metavar="K/N", help="run slice K of N; join with 'harness report --merge'"
    )
    parser.add_argument(
        "--load", metavar="SPEC", help="performance probe load, e.g. clients=4,rps=10,seconds=3"
    )
    parser.epilog = "Arguments after -- go to pytest unchanged."


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text[:40]!r}") from None


def seed_argument(text: str) -> int:
    """A seed: a whole number from 0 to 2**63 - 1 (what the history stores)."""
    seed = _whole(text)
    if not 0 <= seed <= MAX_SEED:
        shown = text if len(text) <= 40 else f"{text[:40]}... ({len(text)} digits)"
        raise argparse.ArgumentTypeError(f"a seed is 0 to {MAX_SEED}, got {shown}")
    return seed


def contract_dir(target: str) -> Path:
    """The integration.yaml of CONTRACT_DIR (or the file itself); a usage error if absent."""
    path = Path(target)
    shown = target if len(target) <= 80 else f"{target[:80]}..."
    try:
        file = path / CONTRACT_FILE if path.is_dir() else path
        found = file.is_file()
    except OSError as exc:  # e.g. a name too long for the file system
        raise UsageError(f"{shown}: not a usable path ({exc.strerror})") from None
    if not found:
        raise UsageError(f"{shown}: no {CONTRACT_FILE} there")
    if file.name != CONTRACT_FILE:
        raise UsageError(f"{shown}: expected a contract folder or its {CONTRACT_FILE}")
    return file


def contract_files(targets: list[str]) -> list[str]:
    """The integration.yaml files named by the arguments (default: every one in contracts/)."""
    if not targets:
        if not DEFAULT_ROOT.is_dir():
            raise UsageError("no CONTRACT_DIR given and no contracts/ folder here")
        found = sorted(str(path) for path in DEFAULT_ROOT.glob(f"*/{CONTRACT_FILE}"))
        if not found:
            raise UsageError(f"no contracts/*/{CONTRACT_FILE} here; pass a CONTRACT_DIR")
        return found
    return [str(contract_dir(target)) for target in targets]


def _environment_declared(files: list[str], environment: str | None) -> None:
    """``--env`` names an environment of every contract: else a usage error, before pytest.

    A quick look at the YAML only; anything odd in it is left to the loader to report.
    """
    if not environment:
        return
    for file in files:
        try:
            document = yaml.safe_load(Path(file).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        declared = document.get("environments") if isinstance(document, dict) else None
        if isinstance(declared, dict) and environment not in declared:
            known = ", ".join(str(name) for name in declared)
            raise UsageError(f"--env {environment!r}: not in {file} (declared: {known})")


def pytest_arguments(args: argparse.Namespace) -> list[str]:
    arguments = contract_files(args.contracts)
    _environment_declared(arguments, args.env)
    writable_folder("--report-dir", args.report_dir)  # before pytest's --junitxml uses it
    pairs = [
        ("--harness-env", args.env),
        ("--harness-mode", args.mode),
        ("--harness-examples", args.examples),
        ("--harness-seed", args.seed),
        ("--harness-report-dir", args.report_dir),
        ("--harness-base-url", args.base_url),
        ("--harness-max-time", args.max_time),
        ("--harness-check-timeout", args.check_timeout),
        ("--harness-shard", args.shard),
        ("--harness-load", args.load),
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
        self.broken_files = 0  # a contract that does not load: pytest says INTERRUPTED

    def pytest_collectreport(self, report: Any) -> None:
        self.broken_files += bool(report.failed)

    def pytest_sessionfinish(self, session: Any) -> None:
        writer = session.config.pluginmanager.get_plugin("harness-results")
        if writer is not None:
            self.results = writer.all_results()


def run_check_command(args: argparse.Namespace) -> int:
    summary = _Summary()
    code = pytest.main(pytest_arguments(args), plugins=[summary])
    console = Console()
    if summary.results:
        console.print(render_summary(summary.results))
        for line in describe_cuts(summary.results):
            console.print(line, style="yellow", highlight=False, markup=False)
        for line in hollow_coverage(summary.results):
            console.print(f"warning: {line}", style="bold yellow", highlight=False, markup=False)
    failed = any(r.outcome in (Outcome.FAILED, Outcome.ERROR) for r in summary.results)
    if code == pytest.ExitCode.USAGE_ERROR:
        return 2
    if code == pytest.ExitCode.INTERRUPTED and summary.broken_files:
        return 2  # a contract that does not load is a usage error, not an interruption
    if code == pytest.ExitCode.INTERRUPTED:
        return 130  # Ctrl-C: what main() answers too
    if code == pytest.ExitCode.NO_TESTS_COLLECTED or (not summary.results and code == 0):
        console.print("[yellow]no checks ran[/yellow]")
        return 1
    return 0 if code == pytest.ExitCode.OK and not failed else 1


def describe_cuts(results: list[CheckResult]) -> list[str]:
    """What the time budget or a target that went away cut from the run, one line each."""
    cut = [result for result in results if result.data.get(CUT_KEY)]
    if not cut:
        return []
    lines = [f"{len(cut)} check(s) not run or stopped short:"]
    reasons = Counter(str(result.data[CUT_KEY]) for result in cut)
    lines += [f"  {count} x {reason}" for reason, count in reasons.most_common()]
    return lines


def render_summary(results: list[CheckResult]) -> Table:
    """A table: one row per integration and family, with outcome counts.

    Checks of harness's own client get rows of their own: they are not verdicts on the
    integration.
    """
    table = Table(title="harness check", show_lines=False)
    for column in ("integration", "family", "passed", "failed", "error", "skipped"):
        table.add_column(column, justify="left" if column in ("integration", "family") else "right")
    counts: dict[tuple[str, str], Counter[str]] = {}
    for result in results:
        family = f"{result.family} (harness client)" if result.about_client else result.family
        counts.setdefault((result.integration, family), Counter())[result.outcome] += 1
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
