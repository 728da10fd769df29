"""Benchmark: harness vs Schemathesis CLI on a public document served by a third-party mock.

Figma's official OpenAPI document (npm @figma/rest-api-spec 0.43.0) served by Prism's mock
(npm @stoplight/prism-cli 5), both installed into ~/.cache/harness-tests on first use. Both
tools run as whole, cold processes on the same trimmed document, mock, token, example budget
and seed; requests are counted *at the server* (Prism logs one "Request received" line per
request). Prints each side's distinct findings ``(path, Schemathesis failure kind)``, the
differences both ways, and the requests/s of each. Exit 1 when harness misses a finding.

``--operations all`` keeps the whole document, but Prism 5 does not finish starting on it
(recursive node schemas; > 60 s): the default is the CI test's eight operations.

Run: ``python bench/parity.py [--examples 10] [--seed 1] [--operations getMe,postComment]``
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.targets.thirdparty import parity


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--operations", default=",".join(parity.OPERATIONS))
    args = parser.parse_args(argv)
    operations = None if args.operations == "all" else args.operations.split(",")
    try:
        theirs, ours = parity.compare(args.examples, args.seed, operations)
    except parity.Unavailable as missing:
        print(f"parity: cannot run: {missing}", file=sys.stderr)
        return 2
    report = {
        "document": f"{parity.FIGMA_PACKAGE} served by {parity.PRISM_PACKAGE}",
        "operations": args.operations,
        "examples": args.examples,
        "seed": args.seed,
        "schemathesis": _side(theirs),
        "harness": _side(ours),
        "missed_by_harness": _named(theirs.findings - ours.findings),
        "only_harness": _named(f for f in ours.findings - theirs.findings if f[0] != "*"),
    }
    print(json.dumps(report, indent=2))
    return 1 if report["missed_by_harness"] else 0


def _named(findings: Iterable[parity.Finding]) -> list[str]:
    return sorted(f"{kind} on {path}" for path, kind in findings)


def _side(run: parity.Run) -> dict[str, object]:
    return {
        "findings": _named(run.findings),
        "requests_at_server": run.requests,
        "seconds": round(run.seconds, 1),
        "requests_per_s": round(run.requests / run.seconds, 1) if run.seconds else None,
    }


if __name__ == "__main__":
    sys.exit(main())
