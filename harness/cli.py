"""The ``harness`` command. Exit codes: 0 all good, 1 a contract or check failed, 2 usage."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import traceback
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import NoReturn

import jsonschema

from harness import __version__, scaffold
from harness.check_command import add_arguments, contract_dir, run_check_command, seed_argument
from harness.contract import Contract, load_contract
from harness.diff import FORMATS as DIFF_FORMATS
from harness.diff import render as render_diff
from harness.diff import run_diff
from harness.diff.drift import read_drift, render_drift_html, render_drift_markdown
from harness.errors import ContractError, UsageError
from harness.lint import lint, render_json, render_text
from harness.options import unknown_environment, writable_folder
from harness.pact_command import add_pact_parser, run_pact
from harness.reporting import History, append_step_summary, rerender
from harness.reporting.guide import guide_blocks, render_guide_html, render_markdown
from harness.reporting.guide_blocks import Measured
from harness.reporting.merge import merge_reports
from harness.reporting.reports import write_run_summary
from harness.results import write_atomically
from harness.review import render_review_markdown, render_review_text, review
from harness.sandbox import serve


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad argument is one line (what was wrong, where to look), exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text[:40]!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0-65535 (0: any free port), got {port}")
    return port


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="harness", description="Integration contracts checked against reality.")
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
    lint_cmd.add_argument(
        "--strict", action="store_true", help="warnings (contract hygiene, empty sections) fail too"
    )
    sandbox = commands.add_parser("sandbox", help="serve the local sandbox of a contract")
    sandbox.add_argument("contract", metavar="CONTRACT_DIR")
    sandbox.add_argument("--port", type=_port, default=8080)
    sandbox.add_argument("--host", default=None, help="default 127.0.0.1 (loopback only)")
    sandbox.add_argument("--seed", type=seed_argument, default=0)
    report = commands.add_parser(
        "report", help="re-render health, compliance, summary and HTML reports from results"
    )
    report.add_argument("--from", dest="source", default="reports", metavar="REPORT_DIR")
    report.add_argument(
        "--merge", nargs="+", metavar="DIR", help="merge the report dirs of --shard K/N runs"
    )
    report.add_argument("--out", default="reports", help="where --merge writes (reports/)")
    report.add_argument("--history", help="history file (default: REPORT_DIR/history.sqlite)")
    report.add_argument(
        "--since", metavar="DATE|RUN", help="drift since a date or run id (REPORT_DIR/drift.md)"
    )
    guide = commands.add_parser(
        "guide", help="render the Integration Guide of a contract, with the last run's figures"
    )
    guide.add_argument("contract", metavar="CONTRACT_DIR")
    guide.add_argument("--report-dir", default="reports", help="where the last run's reports are")
    guide.add_argument("--out", help="folder for guide.md and guide.html (default: the report's)")
    guide.add_argument("--env", default="local")
    init = commands.add_parser(
        "init", help="scaffold a contract from a vendor's OpenAPI/Swagger document (file or URL)"
    )
    init.add_argument("--from-openapi", required=True, metavar="SPEC|URL", dest="spec")
    init.add_argument("--id", dest="contract_id", help="the contract id (default: from the title)")
    init.add_argument(
        "--auth", help="security scheme name or type (api-key, basic, bearer, oauth2-client-"
        "credentials, none); default: the scheme most operations use"
    )  # fmt: skip
    init.add_argument("--out", default="contracts", help="parent folder (default: contracts)")
    init.add_argument("--force", action="store_true", help="overwrite an existing contract")
    _diff_parser(commands)
    _review_parser(commands)
    add_pact_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    given = list(sys.argv[1:] if argv is None else argv)
    passthrough: list[str] = []
    if "--" in given:  # everything after -- goes to pytest unchanged
        cut = given.index("--")
        given, passthrough = given[:cut], given[cut + 1 :]
    try:
        args = _parser().parse_args(given)
    except SystemExit as exc:  # --help, --version, or a bad argument (one line printed)
        return exc.code if isinstance(exc.code, int) else 2
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
    except Exception as exc:  # a bug of harness: one line, the traceback on request
        return _internal_error(args.command, exc)


def _internal_error(command: str, exc: Exception) -> int:
    if os.environ.get("HARNESS_TRACEBACK"):
        traceback.print_exc()
    where = traceback.extract_tb(exc.__traceback__)[-1]
    print(
        f"harness {command}: internal error: {type(exc).__name__}: {exc} "
        f"(at {Path(where.filename).name}:{where.lineno}); this is a bug of harness, please "
        "report it; HARNESS_TRACEBACK=1 shows the traceback",
        file=sys.stderr,
    )
    return 3


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "lint":
        return _lint(args)
    if args.command == "check":
        return run_check_command(args)
    if args.command == "sandbox":
        return _sandbox(args)
    if args.command == "report":
        return _report(args)
    if args.command == "guide":
        return _guide(args)
    if args.command == "init":
        return _init(args)
    if args.command == "diff":
        return _diff(args)
    if args.command == "review":
        return _review(args)
    if args.command == "pact":
        return run_pact(args)
    return 2  # pragma: no cover - argparse rejects unknown commands


def _lint(args: argparse.Namespace) -> int:
    results = [lint(target, strict=args.strict) for target in args.contracts]
    if args.format == "json":
        print(render_json(results))
    else:
        print(render_text(results, verbose=args.verbose))
    return 0 if all(result.valid for result in results) else 1


def _load(folder: str, environment: str) -> Contract:
    """The contract in CONTRACT_DIR: a missing folder or environment is a usage error."""
    try:
        return load_contract(contract_dir(folder), environment=environment)
    except ContractError as exc:
        raise unknown_environment(exc, "--env", environment) or exc from None


def _sandbox(args: argparse.Namespace) -> int:
    contract = _load(args.contract, "local")
    host = args.host or "127.0.0.1"
    serve(contract, host=host, port=args.port, seed=args.seed, allow_public=args.host is not None)
    return 0


def _report(args: argparse.Namespace) -> int:
    if args.merge:
        return _merge(args)
    source = Path(args.source)
    if not source.is_dir():
        raise UsageError(f"--from {source}: no such folder; run 'harness check' first")
    if args.since:
        return _drift(source, Path(args.history) if args.history else None, args.since)
    history = History(Path(args.history) if args.history else source / "history.sqlite")
    problem = history.problem()
    if problem is not None:
        raise UsageError(problem)
    for path in sorted(source.glob("*/results.json")):
        _readable_results(path)
    written = rerender(source, history)
    if not written:
        raise UsageError(f"{source}: no */results.json to render; run 'harness check' first")
    for report in written:
        print(f"{report.integration}: {report.health['status']} -> {report.folder}/report.html")
    write_run_summary(source, written)
    append_step_summary(report.summary for report in written)
    return 0


def _merge(args: argparse.Namespace) -> int:
    """``harness report --merge DIR... --out REPORT_DIR``: shards' reports as one run's."""
    out = Path(writable_folder("--out", args.out))
    history = History(Path(args.history) if args.history else out / "history.sqlite")
    written = merge_reports([Path(folder) for folder in args.merge], out, history=history)
    for report in written:
        print(f"{report.integration}: {report.health['status']} -> {report.folder}/report.html")
    append_step_summary(report.summary for report in written)
    return 0


_FIX = "re-run 'harness check' to write it again"


def _read_json(path: Path) -> object:
    """A report file's JSON, or a usage error naming the file."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot be read ({exc}); {_FIX}") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}:{exc.lineno}:{exc.colno}: not JSON ({exc.msg}); {_FIX}") from None


def _readable_results(path: Path) -> None:
    """A results.json that ``harness report`` can render, or a usage error naming it."""
    document = _read_json(path)
    schema = json.loads(resources.files("harness").joinpath("results.schema.json").read_text())
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(schema).iter_errors(document)
    )
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "the top level"
        raise UsageError(f"{path}: not a results file ({where}: {error.message[:120]}); {_FIX}")


def _guide(args: argparse.Namespace) -> int:
    writable_folder("--report-dir", args.report_dir)
    if args.out:
        writable_folder("--out", args.out)
    contract = _load(args.contract, args.env)
    folder = Path(args.report_dir) / contract.id
    if (folder / "health.json").is_file() and (folder / "results.json").is_file():
        _readable_results(folder / "results.json")
        if not isinstance(_read_json(folder / "health.json"), dict):
            raise UsageError(f"{folder / 'health.json'}: not a health report; {_FIX}")
    measured = Measured.load(folder)
    blocks = guide_blocks(contract, measured)
    out = Path(args.out) if args.out else Path(args.report_dir) / contract.id
    write_atomically(out / "guide.md", render_markdown(blocks))
    write_atomically(out / "guide.html", render_guide_html(blocks))
    note = "with the last run's figures" if measured else "no run recorded yet"
    print(f"{out / 'guide.md'} and guide.html ({note})")
    return 0


def _init(args: argparse.Namespace) -> int:
    source = scaffold.read_source(args.spec)
    derived = scaffold.derive(source, contract_id=args.contract_id, auth=args.auth)
    written = scaffold.write_scaffold(source, derived, Path(args.out), force=args.force)
    result = lint(str(written.parent))
    print(f"{written} ({scaffold.describe(derived)})")
    if not result.valid:  # a scaffold that does not lint is harness's bug: say so plainly
        print(render_text([result], verbose=False), file=sys.stderr)
        return 1
    print(f"next: harness check {written.parent}")
    return 0


def _diff_parser(commands: argparse._SubParsersAction[_Parser]) -> None:
    diff = commands.add_parser(
        "diff", help="classified changes between two contract versions (exit 1 on breaking)"
    )
    diff.add_argument("old", metavar="OLD", help="contract folder, REF:path (git) or document")
    diff.add_argument("new", metavar="NEW", nargs="?", help="contract folder, REF:path or document")
    diff.add_argument("--openapi", metavar="NEW.yaml", help="the vendor's new OpenAPI document")
    diff.add_argument("--format", choices=DIFF_FORMATS, default="text")


def _diff(args: argparse.Namespace) -> int:
    report = run_diff(args.old, args.new, args.openapi)
    print(render_diff(report, args.format))
    return 1 if report.breaking else 0


def _drift(source: Path, history: Path | None, since: str) -> int:
    drifts = read_drift(history or source / "history.sqlite", since)
    text = render_drift_markdown(drifts, since)
    write_atomically(source / "drift.md", text + "\n")
    write_atomically(source / "drift.html", render_drift_html(drifts, since))
    print(text)
    return 0


def _review_parser(commands: argparse._SubParsersAction[_Parser]) -> None:
    cmd = commands.add_parser(
        "review", help="maintenance checklist: overdue tasks, rotations, sunsets, last green run"
    )
    cmd.add_argument("contracts", metavar="CONTRACTS_DIR", help="contracts/ or one contract")
    cmd.add_argument("--report-dir", default="reports", help="where runs are recorded")
    cmd.add_argument("--since", metavar="REF", help="also list each contract's diff since REF")
    cmd.add_argument("--out", help="the Markdown page (default: REPORT_DIR/review.md)")
    cmd.add_argument("--strict", action="store_true", help="exit 1 when anything is due")


def _review(args: argparse.Namespace) -> int:
    out = Path(args.out) if args.out else Path(args.report_dir) / "review.md"
    if out.is_dir():
        raise UsageError(f"--out {out}: is a folder; give a file name such as review.md")
    writable_folder("--out" if args.out else "--report-dir", str(out.parent))
    today = dt.date.today()
    reviews = review(Path(args.contracts), today=today, report_dir=Path(args.report_dir),
                     since=args.since)  # fmt: skip
    write_atomically(out, render_review_markdown(reviews, today) + "\n")
    print(render_review_text(reviews))
    print(f"checklist: {out}")
    due = any(entry.due or entry.problem for entry in reviews)
    return 1 if args.strict and due else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
