"""``harness pact``: export our expectations of a vendor as a Pact V4 file, verify pacts.

``harness pact export CONTRACT_DIR [--from-cassettes [DIR]] [-o pacts/]`` writes
``<consumer>-<provider>.json``; ``harness pact verify PACT... --base-url URL`` replays pact
files against a running provider (``harness sandbox`` prints its state URL) and exits 1 when
an interaction fails, printing Pact's mismatch text and a curl line for each;
``harness pact stub PACT... [--port P]`` serves the pacts' example answers (for a consumer
that only has a pact).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import uvicorn

from harness.contract import load_contract
from harness.errors import UsageError
from harness.pact.export import export_pact
from harness.pact.stub import PactStub
from harness.pact.verify import read_interactions, verify_pacts
from harness.transports.cassette_session import cassette_root


def add_pact_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """The ``pact`` command and its ``export``, ``verify`` and ``stub`` subcommands."""
    pact = commands.add_parser("pact", help="export our expectations as a pact; verify pacts")
    actions = pact.add_subparsers(dest="pact_command", required=True, metavar="ACTION")
    export = actions.add_parser("export", help="write the contract's Pact V4 file")
    export.add_argument("contract", metavar="CONTRACT_DIR")
    export.add_argument("-o", "--out", default="pacts", help="folder (default: pacts)")
    export.add_argument(
        "--from-cassettes", nargs="?", const="", default=None, metavar="DIR",
        help="example answers from recorded cassettes (default DIR: cassettes/<id>)",
    )  # fmt: skip
    export.add_argument("--consumer", help="consumer name (default: <id>-integration)")
    verify = actions.add_parser("verify", help="verify pact files against a running provider")
    verify.add_argument("pacts", metavar="PACT", nargs="+", help="pact files")
    verify.add_argument("--base-url", required=True, help="the provider, e.g. the sandbox URL")
    verify.add_argument("--provider", help="provider name (default: each file's provider)")
    verify.add_argument("--state-url", help="provider state change URL (POST, JSON body)")
    stub = actions.add_parser("stub", help="serve the example answers of pact files")
    stub.add_argument("pacts", metavar="PACT", nargs="+", help="pact files")
    stub.add_argument("--port", type=int, default=8090, help="default 8090 (0: any free port)")
    stub.add_argument("--host", default="127.0.0.1", help="default 127.0.0.1")


def run_pact(args: argparse.Namespace) -> int:
    if args.pact_command == "export":
        return _export(args)
    if args.pact_command == "stub":
        return _stub(args)
    return _verify(args)


def _export(args: argparse.Namespace) -> int:
    folder = Path(args.contract)
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a contract folder")
    contract = load_contract(folder)
    cassettes = None
    if args.from_cassettes is not None:
        cassettes = Path(args.from_cassettes) if args.from_cassettes else cassette_root(contract)
        if not cassettes.is_dir():
            raise UsageError(f"--from-cassettes: {cassettes} is not a folder of cassettes")
    path = export_pact(contract, Path(args.out), cassettes=cassettes, consumer=args.consumer)
    count = len(read_interactions(path))
    print(f"wrote {path} ({count} interactions, Pact V4)")
    return 0


def _verify(args: argparse.Namespace) -> int:
    files = [Path(p) for p in args.pacts]
    providers = {args.provider} if args.provider else {
        i.provider for path in files for i in read_interactions(path)
    }  # fmt: skip
    failed = 0
    for provider in sorted(providers):
        run = verify_pacts(
            files, provider=provider, base_url=args.base_url, state_url=args.state_url
        )
        for result in run.results:
            mark = "ok  " if result.passed else "FAIL"
            print(f"{mark} {provider}: {result.interaction.description}")
            for line in result.mismatches:
                print(f"       {line}")
            if not result.passed:
                failed += 1
                print(f"       repeat: {result.interaction.curl(args.base_url)}")
    print(f"{failed} interaction(s) failed" if failed else "every interaction verified")
    return 1 if failed else 0


def _stub(args: argparse.Namespace) -> int:
    app = PactStub(Path(p) for p in args.pacts)
    endpoints = sorted({f"{i.method} {i.path}" for i in app.interactions})
    print(f"harness pact stub: {len(app.interactions)} interactions on {len(endpoints)} endpoints")
    print(f"  base URL  http://{args.host}:{args.port}", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info", lifespan="off")
    return 0
