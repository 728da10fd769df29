"""The ``harness`` command. Exit codes: 0 all good, 1 a contract or check failed, 2 usage."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from harness import __version__
from harness.check_command import add_arguments, run_check
from harness.contract import load_contract
from harness.errors import ContractError, UsageError
from harness.lint import lint, render_json, render_text
from harness.reporting import History, append_step_summary, rerender
from harness.reporting.guide import Measured, guide_blocks, render_guide_html, render_markdown
from harness.reporting.reports import write_run_summary
from harness.results import write_atomically
from harness.sandbox import serve


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="harness", description="Integration contracts checked against reality."
    )
    parser.add_argument("--version", action="version", version=f"harness {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = commands.add_parser(
        "check", help="check contracts against an environment (default: the local sandbox)"
    )
    add_arguments(check)
    lint_cmd = commands.add_parser(
        "lint", help="validate contracts: file:line:col errors, exit 1 on any"
    )
    lint_cmd.add_argument("contracts", nargs="+", metavar="CONTRACT_DIR")
    lint_cmd.add_argument("--format", choices=("text", "json"), default="text")
    lint_cmd.add_argument(
        "-v", "--verbose", action="store_true", help="also list unset ${VAR}s and other notes"
    )
    sandbox = commands.add_parser("sandbox", help="serve the local sandbox of a contract")
    sandbox.add_argument("contract", metavar="CONTRACT_DIR")
    sandbox.add_argument("--port", type=int, default=8080)
    sandbox.add_argument("--host", default=None, help="default 127.0.0.1 (loopback only)")
    sandbox.add_argument("--seed", type=int, default=0)
    report = commands.add_parser(
        "report", help="re-render health, compliance, summary and HTML reports from results"
    )
    report.add_argument("--from", dest="source", default="reports", metavar="REPORT_DIR")
    report.add_argument("--history", help="history file (default: REPORT_DIR/history.sqlite)")
    guide = commands.add_parser(
        "guide", help="render the Integration Guide of a contract, with the last run's figures"
    )
    guide.add_argument("contract", metavar="CONTRACT_DIR")
    guide.add_argument("--report-dir", default="reports", help="where the last run's reports are")
    guide.add_argument("--out", help="folder for guide.md and guide.html (default: the report's)")
    guide.add_argument("--env", default="local")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    given = list(sys.argv[1:] if argv is None else argv)
    passthrough: list[str] = []
    if "--" in given:  # everything after -- goes to pytest unchanged
        cut = given.index("--")
        given, passthrough = given[:cut], given[cut + 1 :]
    args = _parser().parse_args(given)
    args.pytest_args = passthrough
    try:
        return _dispatch(args)
    except UsageError as exc:
        print(f"harness {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except ContractError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into head & co.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "lint":
        return _lint(args)
    if args.command == "check":
        return run_check(args)
    if args.command == "sandbox":
        return _sandbox(args)
    if args.command == "report":
        return _report(args)
    if args.command == "guide":
        return _guide(args)
    return 2  # pragma: no cover - argparse rejects unknown commands


def _lint(args: argparse.Namespace) -> int:
    results = [lint(target) for target in args.contracts]
    if args.format == "json":
        print(render_json(results))
    else:
        print(render_text(results, verbose=args.verbose))
    return 0 if all(result.valid for result in results) else 1


def _sandbox(args: argparse.Namespace) -> int:
    contract = load_contract(args.contract, environment="local")
    host = args.host or "127.0.0.1"
    serve(contract, host=host, port=args.port, seed=args.seed, allow_public=args.host is not None)
    return 0


def _report(args: argparse.Namespace) -> int:
    source = Path(args.source)
    if not source.is_dir():
        raise UsageError(f"--from {source}: no such folder; run 'harness check' first")
    history = History(Path(args.history) if args.history else source / "history.sqlite")
    written = rerender(source, history)
    if not written:
        raise UsageError(f"{source}: no */results.json to render; run 'harness check' first")
    for report in written:
        print(f"{report.integration}: {report.health['status']} -> {report.folder}/report.html")
    write_run_summary(source, written)
    append_step_summary(report.summary for report in written)
    return 0


def _guide(args: argparse.Namespace) -> int:
    contract = load_contract(args.contract, environment=args.env)
    measured = Measured.load(Path(args.report_dir) / contract.id)
    blocks = guide_blocks(contract, measured)
    out = Path(args.out) if args.out else Path(args.report_dir) / contract.id
    write_atomically(out / "guide.md", render_markdown(blocks))
    write_atomically(out / "guide.html", render_guide_html(blocks))
    note = "with the last run's figures" if measured else "no run recorded yet"
    print(f"{out / 'guide.md'} and guide.html ({note})")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
