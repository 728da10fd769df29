"""The ``harness`` command. Exit codes: 0 all good, 1 a contract or check failed, 2 usage."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from harness import __version__
from harness.lint import lint, render_json, render_text


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="harness",
        description="Integration contracts checked against reality.",
    )
    parser.add_argument("--version", action="version", version=f"harness {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    lint_cmd = commands.add_parser(
        "lint", help="validate contracts: file:line:col errors, exit 1 on any"
    )
    lint_cmd.add_argument("contracts", nargs="+", metavar="CONTRACT_DIR")
    lint_cmd.add_argument("--format", choices=("text", "json"), default="text")
    lint_cmd.add_argument(
        "-v", "--verbose", action="store_true", help="also list unset ${VAR}s and other notes"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "lint":
            return _lint(args)
    except BrokenPipeError:  # output piped into head & co.
        sys.stderr.close()
        return 0
    return 2  # pragma: no cover - argparse rejects unknown commands


def _lint(args: argparse.Namespace) -> int:
    results = [lint(target) for target in args.contracts]
    if args.format == "json":
        print(render_json(results))
    else:
        print(render_text(results, verbose=args.verbose))
    return 0 if all(result.valid for result in results) else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
