"""Harness vs Schemathesis's CLI on a public document served by Prism (a third-party mock).

Shared by tests/integration/test_thirdparty_parity.py and bench/parity.py: fetch Prism and
Figma's official document (npm; cached under ~/.cache/harness-tests, never committed), trim
the document to a few operations, serve it with ``prism mock`` on loopback, run both tools
as whole processes on the same budget, and reduce each side to its distinct findings
``(path, kind)`` where kind is Schemathesis's failure class name. The path, not the method:
Schemathesis labels an unsupported-method finding with the method it sent (``TRACE /v1/me``).
A stateful failure is labelled ``*`` (Schemathesis names the phase, not an operation).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

CACHE = Path.home() / ".cache" / "harness-tests"
PRISM_PACKAGE = "@stoplight/prism-cli@5"
FIGMA_PACKAGE = "@figma/rest-api-spec@0.43.0"
FIGMA_DOC = CACHE / "figma-rest-api-spec-0.43.0" / "openapi.yaml"
CONTRACT = Path(__file__).parent / "figma" / "integration.yaml"
#: The Figma operations the CI test keeps (reads, a create, a delete, an update, no-param).
OPERATIONS = (
    "getMe",
    "getFileMeta",
    "getComments",
    "postComment",
    "deleteComment",
    "getWebhook",
    "putWebhook",
    "getTeamProjects",
)
#: Schemathesis's stateful failures and the per-operation finding harness reports for them.
EQUIVALENT = {"EnsureResourceAvailability": "ResourceUnavailable"}
Finding = tuple[str, str]  # ("/v1/me", "IgnoredAuth")


class Unavailable(Exception):
    """A tool this comparison needs could not be installed here (the reason is the message)."""


def prism_binary() -> Path:
    """Prism's CLI, installed once with npm into the cache."""
    prefix = CACHE / "prism"
    binary = prefix / "node_modules" / ".bin" / "prism"
    if binary.exists():
        return binary
    npm = shutil.which("npm")
    if npm is None:
        raise Unavailable("npm is not installed: cannot install Prism (@stoplight/prism-cli)")
    prefix.mkdir(parents=True, exist_ok=True)
    command = [npm, "install", "--prefix", str(prefix), PRISM_PACKAGE, "--no-audit", "--no-fund"]
    _npm(command, cwd=prefix, what=f"npm install {PRISM_PACKAGE}")
    if not binary.exists():
        raise Unavailable(f"npm install {PRISM_PACKAGE} ran but {binary} is missing")
    return binary


def figma_document() -> Path:
    """Figma's official OpenAPI document, from its npm package (cached like test_init_command)."""
    if FIGMA_DOC.is_file():
        return FIGMA_DOC
    if shutil.which("npm") is None:
        raise Unavailable("npm is not installed: cannot fetch Figma's spec (@figma/rest-api-spec)")
    work = CACHE / "npm-pack"
    work.mkdir(parents=True, exist_ok=True)
    npm = shutil.which("npm") or "npm"
    name = _npm(
        [npm, "pack", FIGMA_PACKAGE, "--silent"], cwd=work, what=f"npm pack {FIGMA_PACKAGE}"
    )
    with tarfile.open(work / name.strip().splitlines()[-1]) as archive:
        member = archive.extractfile("package/openapi/openapi.yaml")
        if member is None:
            raise Unavailable(f"{FIGMA_PACKAGE} has no package/openapi/openapi.yaml")
        FIGMA_DOC.parent.mkdir(parents=True, exist_ok=True)
        FIGMA_DOC.write_bytes(member.read())
    return FIGMA_DOC


def _npm(command: list[str], *, cwd: Path, what: str) -> str:
    try:
        done = subprocess.run(
            command, cwd=cwd, capture_output=True, text=True, timeout=240, check=False
        )
    except subprocess.TimeoutExpired:
        raise Unavailable(f"{what} timed out after 240 s (registry unreachable?)") from None
    if done.returncode != 0:
        raise Unavailable(f"{what} failed: {done.stderr.strip()[-300:]}")
    return done.stdout


def trimmed_contract(folder: Path, operations: Sequence[str] | None) -> Path:
    """The Figma contract beside a copy of the document keeping only ``operations``."""
    document = yaml.safe_load(figma_document().read_text())
    if operations is not None:
        document["paths"] = _keep(document["paths"], set(operations))
        document["components"] = _reachable(document)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "openapi.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    shutil.copy(CONTRACT, folder / "integration.yaml")
    return folder


def _keep(paths: dict[str, Any], wanted: set[str]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for path, item in paths.items():
        methods = {m: op for m, op in item.items() if _operation_id(op) in wanted}
        if methods:
            shared = {k: v for k, v in item.items() if k not in HTTP_METHODS}
            kept[path] = {**shared, **methods}
    return kept


def _reachable(document: dict[str, Any]) -> dict[str, Any]:
    """The components the kept paths reach through ``$ref`` (Prism is slow on the rest)."""
    components: dict[str, Any] = document.get("components", {})
    kept: dict[str, dict[str, Any]] = {}
    pending = list(_refs(document["paths"]))
    while pending:
        section, name = pending.pop()
        if name in kept.setdefault(section, {}) or name not in components.get(section, {}):
            continue
        kept[section][name] = components[section][name]
        pending += _refs(components[section][name])
    if "securitySchemes" in components:
        kept["securitySchemes"] = components["securitySchemes"]
    return kept


def _refs(node: Any) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/"):
            section, _, name = ref.removeprefix("#/components/").partition("/")
            yield section, name
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


HTTP_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options", "trace"})


def _operation_id(operation: Any) -> str | None:
    return operation.get("operationId") if isinstance(operation, dict) else None


def operation_paths(document: Path) -> dict[str, str]:
    """operationId → path as the document declares them."""
    paths = yaml.safe_load(document.read_text())["paths"]
    return {
        op["operationId"]: path
        for path, item in paths.items()
        for method, op in item.items()
        if method in HTTP_METHODS and _operation_id(op)
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Prism:
    """A running ``prism mock``: its base URL and the count of requests it logged."""

    url: str
    lines: list[str]

    def requests(self) -> int:
        return sum("Request received" in line for line in self.lines)


@contextlib.contextmanager
def prism_mock(document: Path, *, dynamic: bool = False) -> Iterator[Prism]:
    """Serve ``document`` with ``prism mock`` on 127.0.0.1; stop it on exit."""
    port = free_port()
    command = [str(prism_binary()), "mock", "-h", "127.0.0.1", "-p", str(port), str(document)]
    if dynamic:
        command.append("-d")
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_node_env()
    )
    served = Prism(f"http://127.0.0.1:{port}", [])
    reader = threading.Thread(target=_drain, args=(process, served.lines), daemon=True)
    reader.start()
    try:
        _wait_until_listening(process, port, served.lines)
        yield served
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        reader.join(timeout=5)
        if process.stdout is not None:
            process.stdout.close()


def _node_env() -> dict[str, str]:
    return {**os.environ, "NO_COLOR": "1", "FORCE_COLOR": "0"}


def _drain(process: subprocess.Popen[str], lines: list[str]) -> None:
    assert process.stdout is not None
    lines.extend(process.stdout)  # appends line by line while Prism runs


def _wait_until_listening(process: subprocess.Popen[str], port: int, lines: list[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"prism mock exited {process.returncode}: {''.join(lines)[-800:]}")
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return
        time.sleep(0.2)
    raise RuntimeError(f"prism mock did not listen on port {port} within 60 s")


@dataclass(frozen=True)
class Run:
    """One tool's whole-process run: its distinct findings, wall time, requests at the server."""

    findings: frozenset[Finding]
    seconds: float
    requests: int
    raw: dict[str, Any]


def run_schemathesis(
    document: Path, prism: Prism, token: str, examples: int, seed: int, out: Path
) -> Run:
    st = shutil.which("st", path=str(Path(sys.executable).parent)) or "st"
    command = [
        st, "run", str(document), "--url", prism.url, "-H", f"X-Figma-Token: {token}",
        "-n", str(examples), "--seed", str(seed), "--report", "json", "--report-dir", str(out),
    ]  # fmt: skip
    before, started = prism.requests(), time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    seconds = time.monotonic() - started
    reports = sorted(out.glob("*.json"))
    if not reports:
        raise RuntimeError(f"st run wrote no JSON report: {(done.stdout + done.stderr)[-800:]}")
    report: dict[str, Any] = json.loads(reports[-1].read_text())
    return Run(schemathesis_findings(report), seconds, prism.requests() - before, report)


def schemathesis_findings(report: dict[str, Any]) -> frozenset[Finding]:
    found = set()
    for failure in report["failures"]:
        kind = EQUIVALENT.get(failure["type"], failure["type"])
        for label in failure["operations"]:
            # A failure of a stateful sequence is labelled with the phase, not an operation.
            path = "*" if label.startswith("Stateful") else label.partition(" ")[2]
            found.add((path, kind))
    return frozenset(found)


def run_harness(
    contract: Path, prism: Prism, token: str, examples: int, seed: int, out: Path
) -> Run:
    env = {**os.environ, "PRISM_URL": prism.url, "FIGMA_API_KEY": token}
    env.pop("HYPOTHESIS_PROFILE", None)
    command = [
        sys.executable, "-m", "harness.cli", "check", str(contract), "--env", "mock",
        "--examples", str(examples), "--seed", str(seed), "--family", "conformance",
        "--report-dir", str(out), "--", "-p", "no:xdist", "-p", "no:cacheprovider",
    ]  # fmt: skip
    before, started = prism.requests(), time.monotonic()
    done = subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=300, check=False
    )
    seconds = time.monotonic() - started
    results = out / "figma" / "results.json"
    if not results.is_file():
        raise RuntimeError(f"harness wrote no results.json: {(done.stdout + done.stderr)[-800:]}")
    report: dict[str, Any] = json.loads(results.read_text())
    findings = harness_findings(report, operation_paths(contract / "openapi.yaml"))
    return Run(findings, seconds, prism.requests() - before, report)


def harness_findings(results: dict[str, Any], paths: dict[str, str]) -> frozenset[Finding]:
    """Each failed check's Schemathesis-named findings, on its path and on ``*`` (stateful)."""
    found = set()
    for check in results["checks"]:
        if check["outcome"] != "failed":
            continue
        operation = check["name"].removesuffix("[negative]")
        path = paths.get(operation, "*")
        for kind in check.get("data", {}).get("findings", []):
            found |= {(path, kind), ("*", kind)}
    return frozenset(found)


def compare(
    examples: int, seed: int, operations: Sequence[str] | None, *, work: Path | None = None
) -> tuple[Run, Run]:
    """(Schemathesis, harness) on the same trimmed document, Prism mock, token and budget."""
    root = work or Path(tempfile.mkdtemp(prefix="thirdparty-parity-"))
    contract = trimmed_contract(root / "figma", operations)
    token = "figd_" + os.urandom(12).hex()
    with prism_mock(contract / "openapi.yaml") as prism:
        theirs = run_schemathesis(
            contract / "openapi.yaml", prism, token, examples, seed, root / "st"
        )
        ours = run_harness(contract, prism, token, examples, seed, root / "harness")
    return theirs, ours
