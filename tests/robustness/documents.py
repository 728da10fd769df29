"""Mutated contracts and documents, linted and checked: no traceback, no hang, no silent pass.

Issue 18 §1. Every case copies a base (``documents_bases``: acme-crm, a tiny contract with
recursive schemas, its Swagger 2.0 twin and a three-file split) into a scratch folder, applies
one mutation — deleted keys, wrong types, huge numbers, unicode, truncation, duplicate keys and
operationIds, ``$ref`` cycles, dangling, remote, ``file://`` and path-traversal references,
missing files — and runs ``harness lint`` (in-process, under an alarm) and ``harness check``
(a subprocess with a timeout, the families that walk documents, 1 example per operation).

The expected clean outcome: lint ends with ``ok`` or with errors (never a traceback); a
targeted mutation gets its message (a ``$ref`` cycle is an error naming the cycle, a remote
reference is never fetched...); check ends with exit 0, 1 or 2, no traceback, in time, and
never exits 0 on a contract lint rejects (a silent pass). Mutations are seeded: the same case
list on every machine. ``python -m tests.robustness.documents [N]`` prints the counts.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import yaml

from tests.robustness.documents_bases import BASES, make_base

ROOT = Path(__file__).resolve().parents[2]
LINT_S = 30
CHECK_CPU_S = 120  # CPU seconds: a whole acme-crm check takes ~15
CHECK_WALL_S = 1200
TRACEBACKS = ("Traceback (most recent call last)", "INTERNALERROR", "RecursionError")
FAMILIES = ("conformance", "mapping", "security", "webhooks", "errors", "health")
REFUSED_EVERY = 5

Mutate = Callable[[Path, random.Random], None]


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    base: str
    mutate: Mutate
    expect: str  # "error": lint must reject with ``message``; "ok": lint must pass; "any"
    message: str = ""
    seed: int = 0


# --- mutation helpers -----------------------------------------------------------------------


def _document_file(folder: Path) -> Path:
    for name in ("openapi.yaml", "openapi.json", "swagger.json"):
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(folder)


def _load(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)


def _dump(path: Path, data: Any) -> None:
    if path.suffix == ".json":
        text = json.dumps(data, indent=1, ensure_ascii=False, default=str)
    else:
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    path.write_text(text, encoding="utf-8")


def _nodes(data: Any) -> list[tuple[Any, Any]]:
    """(container, key) of every node below the root."""
    found: list[tuple[Any, Any]] = []
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            found += [(node, key) for key in node]
            stack.extend(node.values())
        elif isinstance(node, list):
            found += [(node, index) for index in range(len(node))]
            stack.extend(node)
    return found


def _edit(file: Callable[[Path], Path], change: Callable[[Any, random.Random], None]) -> Mutate:
    def mutate(folder: Path, rng: random.Random) -> None:
        path = file(folder)
        data = _load(path)
        change(data, rng)
        _dump(path, data)

    return mutate


def _contract(folder: Path) -> Path:
    return folder / "integration.yaml"


def _schema_files(folder: Path) -> Path:
    files = sorted(folder.glob("schemas/*.json")) or [_document_file(folder)]
    return files[0]


WRONG = [5, -1, "x", [], {}, None, True, 1.5, "${HARNESS_ROBUSTNESS_UNSET}", [[{}]]]
HUGE = [
    10**30, -(10**30), 1e308, 2**63, 2**64 + 1, 0, -0.0, "99999999999999999999d",
    "999999999999999999999m", "10000-01-01", "0001-01-01", "9999-12-31T23:59:59Z",
    "P99999999999Y", "9" * 400, 10**400,
]  # fmt: skip
UNICODE = [
    "ünïcødé ✓", "\u202eevil", "\U0001d518\U0001d52b\U0001d526", "Ω" * 2000, "a\u0000b",
    "\ufeffbom", "名前", "\ud7ff", "line\nbreak", " ", "",
]  # fmt: skip


def _delete(data: Any, rng: random.Random) -> None:
    nodes = [(c, k) for c, k in _nodes(data) if isinstance(c, dict)]
    if nodes:
        container, key = rng.choice(nodes)
        del container[key]


def _replace_with(
    values: list[Any], scalars_only: bool = False
) -> Callable[[Any, random.Random], None]:
    def change(data: Any, rng: random.Random) -> None:
        nodes = _nodes(data)
        if scalars_only:
            nodes = [(c, k) for c, k in nodes if not isinstance(c[k], dict | list)]
        if nodes:
            container, key = rng.choice(nodes)
            container[key] = rng.choice(values)

    return change


def _unicode(data: Any, rng: random.Random) -> None:
    nodes = [(c, k) for c, k in _nodes(data) if isinstance(c[k], str)]
    if nodes:
        container, key = rng.choice(nodes)
        container[key] = rng.choice(UNICODE)
    keyed = [(c, k) for c, k in _nodes(data) if isinstance(c, dict)]
    if keyed and rng.random() < 0.3:
        container, key = rng.choice(keyed)
        container[rng.choice(UNICODE) + "_key"] = container.pop(key)


def _empty(data: Any, rng: random.Random) -> None:
    nodes = [(c, k) for c, k in _nodes(data) if isinstance(c[k], dict | list)]
    if nodes:
        container, key = rng.choice(nodes)
        container[key] = type(container[key])()


def _text(file: Callable[[Path], Path], change: Callable[[str, random.Random], str]) -> Mutate:
    def mutate(folder: Path, rng: random.Random) -> None:
        path = file(folder)
        path.write_text(change(path.read_text(encoding="utf-8"), rng), encoding="utf-8")

    return mutate


def _duplicate_line(text: str, rng: random.Random) -> str:
    lines = text.splitlines(keepends=True)
    keyed = [i for i, line in enumerate(lines) if ":" in line] or [0]
    index = rng.choice(keyed)
    return "".join([*lines[: index + 1], lines[index], *lines[index + 1 :]])


def _truncate(text: str, rng: random.Random) -> str:
    return text[: rng.randrange(max(1, len(text)))]


def _tab(text: str, rng: random.Random) -> str:
    lines = text.splitlines(keepends=True)
    index = rng.randrange(len(lines))
    lines[index] = "\t" + lines[index]
    return "".join(lines)


def _garbage(folder: Path, rng: random.Random) -> None:
    path = rng.choice([_contract(folder), _document_file(folder)])
    data = bytearray(path.read_bytes())
    at = rng.randrange(len(data))
    data[at:at] = bytes(rng.choice([0xFF, 0xFE, 0xC3, 0x00, 0x80]) for _ in range(3))
    path.write_bytes(bytes(data))


def _remove_file(folder: Path, rng: random.Random) -> None:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "integration.yaml")
    target = rng.choice(files)
    target.unlink()
    if rng.random() < 0.3:
        target.mkdir()  # a folder where the file was


# --- targeted document mutations ------------------------------------------------------------


def _schemas(document: dict[str, Any]) -> dict[str, Any]:
    found = document.get("components", {}).get("schemas") or document.get("definitions") or {}
    return found if isinstance(found, dict) else {}


def _prefix(document: dict[str, Any]) -> str:
    return "#/definitions/" if "definitions" in document else "#/components/schemas/"


def _doc_change(change: Callable[[dict[str, Any], random.Random], None]) -> Mutate:
    def mutate(folder: Path, rng: random.Random) -> None:
        path = _document_file(folder)
        data = _load(path)
        change(data, rng)
        _dump(path, data)

    return mutate


def _pick_schema(document: dict[str, Any], rng: random.Random) -> str:
    return rng.choice(sorted(_schemas(document)))


def _self_allof(document: dict[str, Any], rng: random.Random) -> None:
    name = _pick_schema(document, rng)
    schemas = _schemas(document)
    keyword = rng.choice(["allOf", "anyOf", "oneOf"])
    schemas[name] = {keyword: [{"$ref": _prefix(document) + name}, {"type": "object"}]}


def _ref_pair(document: dict[str, Any], rng: random.Random) -> None:
    schemas, prefix = _schemas(document), _prefix(document)
    name = _pick_schema(document, rng)
    schemas[name] = {"$ref": prefix + "LoopB"}
    schemas["LoopB"] = {"$ref": prefix + "LoopC"}
    schemas["LoopC"] = {"$ref": prefix + name}


def _legal_recursion(document: dict[str, Any], rng: random.Random) -> None:
    schemas, prefix = _schemas(document), _prefix(document)
    candidates = [n for n, s in sorted(schemas.items()) if isinstance(s.get("properties"), dict)]
    if not candidates:  # the multi-file base keeps its schemas in another file
        return
    name = rng.choice(candidates)
    properties = schemas[name]["properties"]
    kind = rng.choice(["items", "property", "additional"])
    if kind == "items":
        properties["more"] = {"type": "array", "maxItems": 2, "items": {"$ref": prefix + name}}
    elif kind == "property":
        properties["again"] = {"$ref": prefix + name}
    else:
        properties["byKey"] = {"type": "object", "additionalProperties": {"$ref": prefix + name}}


def _set_ref(target: str) -> Callable[[dict[str, Any], random.Random], None]:
    def change(document: dict[str, Any], rng: random.Random) -> None:
        refs = [(c, k) for c, k in _nodes(document) if k == "$ref" and isinstance(c[k], str)]
        container, key = rng.choice(refs)
        container[key] = target

    return change


def _operations_file(folder: Path) -> Path:
    split = folder / "paths" / "nodes.json"  # the multi-file base keeps its paths there
    return split if split.is_file() else _document_file(folder)


def _duplicate_operation_id(document: dict[str, Any], rng: random.Random) -> None:
    operations = [
        op
        for item in document.get("paths", document).values()
        if isinstance(item, dict)
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    ]
    first, second = rng.sample(operations, 2)
    second["operationId"] = first["operationId"]


def _huge_nesting(folder: Path, rng: random.Random) -> None:
    path = _document_file(folder)
    depth = 300 + rng.randrange(50)
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        deep = '{"n": ' * depth + "1" + "}" * depth
        text = text.replace("{", '{"x-deep": ' + deep + ", ", 1)
    else:
        text += "\nx-deep: " + "{n: " * depth + "1" + "}" * depth + "\n"
    path.write_text(text, encoding="utf-8")


def _alias_bomb(folder: Path, rng: random.Random) -> None:
    path = folder / "openapi.yaml"
    if not path.is_file():
        path = _document_file(folder)
    bomb = "\nx-bomb:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for level in "bcdefgh":
        previous = chr(ord(level) - 1)
        bomb += f"  {level}: &{level} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}]\n"  # noqa: E501
    if path.suffix == ".json":
        data = _load(path)
        path.unlink()
        path = path.with_suffix(".yaml")
        _dump(path, data)
        _repoint(folder, path.name)
    path.write_text(path.read_text(encoding="utf-8") + bomb, encoding="utf-8")


def _repoint(folder: Path, name: str) -> None:
    contract = _contract(folder)
    text = contract.read_text(encoding="utf-8")
    for old in ("openapi.json", "swagger.json"):
        text = text.replace(old, name)
    contract.write_text(text, encoding="utf-8")


def _duplicate_document_key(folder: Path, rng: random.Random) -> None:
    path = _document_file(folder)
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        text = text.replace('"info": {', '"info": {"title": "one", "title": "two", ', 1)
    else:
        text = text.replace("info:\n", "info:\n  title: one\n  title: two\n", 1)
    path.write_text(text, encoding="utf-8")


def _contract_set(path: tuple[str, ...], value: Any) -> Mutate:
    def mutate(folder: Path, rng: random.Random) -> None:
        data = _load(_contract(folder))
        node = data
        for key in path[:-1]:
            node = node.setdefault(key, {})
            if isinstance(node, list):
                node = node[0]
        node[path[-1]] = value
        _dump(_contract(folder), data)

    return mutate


def _multi_sub_ref(target: str) -> Mutate:
    def mutate(folder: Path, rng: random.Random) -> None:
        path = folder / "schemas" / "api.json"
        data = _load(path)
        name = rng.choice(sorted(data))
        data[name] = {"$ref": target}
        _dump(path, data)

    return mutate


# --- the case table -------------------------------------------------------------------------

CYCLE = "$ref cycle that never reaches a schema"
RANDOM: dict[str, Mutate] = {
    "contract-delete": _edit(_contract, _delete),
    "contract-type": _edit(_contract, _replace_with(WRONG)),
    "contract-huge": _edit(_contract, _replace_with(HUGE, scalars_only=True)),
    "contract-unicode": _edit(_contract, _unicode),
    "contract-empty": _edit(_contract, _empty),
    "contract-dup-line": _text(_contract, _duplicate_line),
    "contract-truncate": _text(_contract, _truncate),
    "contract-tab": _text(_contract, _tab),
    "document-delete": _edit(_document_file, _delete),
    "document-type": _edit(_document_file, _replace_with(WRONG)),
    "document-huge": _edit(_document_file, _replace_with(HUGE, scalars_only=True)),
    "document-unicode": _edit(_document_file, _unicode),
    "document-truncate": _text(_document_file, _truncate),
    "schema-file-type": _edit(_schema_files, _replace_with(WRONG)),
    "garbage-bytes": _garbage,
    "remove-file": _remove_file,
}
TARGETED: dict[str, tuple[Mutate, str, str]] = {
    "cycle-self-applicator": (_doc_change(_self_allof), "error", CYCLE),
    "cycle-ref-chain": (_doc_change(_ref_pair), "error", CYCLE),
    "recursion-legal": (_doc_change(_legal_recursion), "ok", ""),
    "ref-dangling": (_doc_change(_set_ref("#/components/schemas/Nope")), "error", "Nope"),
    "ref-remote": (_doc_change(_set_ref("https://evil.example/x.json#/X")), "error",
                   "remote $ref 'https://evil.example/x.json' is not fetched"),
    "ref-metadata": (_doc_change(_set_ref("http://169.254.169.254/latest/meta-data")), "error",
                     "is not fetched"),
    "ref-file-url": (_doc_change(_set_ref("file:///etc/passwd")), "error", "is not supported"),
    "ref-traversal": (_doc_change(_set_ref("../../../../../../etc/passwd")), "error",
                      "leads outside the contract folder"),
    "ref-absolute": (_doc_change(_set_ref("/etc/hostname")), "error",
                     "leads outside the contract folder"),
    "ref-missing-file": (_doc_change(_set_ref("missing/file.yaml#/X")), "error",
                         "names a file that does not exist"),
    "duplicate-operation-id": (_edit(_operations_file, _duplicate_operation_id), "error",
                               "duplicate operationId"),
    "duplicate-document-key": (_duplicate_document_key, "error", "duplicate key 'title'"),
    "deep-nesting": (_huge_nesting, "error", "nested more than 200 levels"),
    "alias-bomb": (_alias_bomb, "error", "alias"),
}  # fmt: skip
SPECIAL: list[tuple[str, str, Mutate, str, str]] = [
    ("window-overflow", "tiny", _contract_set(("rate_limits",),
     [{"limit": 5, "window": "99999999999999999999999d"}]), "error", "longer than 366 days"),
    ("limit-huge", "tiny", _contract_set(("rate_limits",),
     [{"limit": 10**40, "window": "1s"}]), "error", "41-digit number is too large"),
    ("limit-infinite", "tiny", _contract_set(("performance",), {"avg_ms": float("inf")}),
     "error", "not a finite number"),
    ("date-overflow", "tiny", _contract_set(("changelog",),
     [{"version": "1.0", "date": "10000-01-01", "changes": ["x"]}]), "error", "date"),
    ("api-url-unpinned", "tiny", _contract_set(("api", "openapi"), "http://127.0.0.1:9/o.json"),
     "error", "cannot fetch http://127.0.0.1:9/o.json"),
    ("api-sha-malformed", "tiny", _contract_set(("api", "sha256"), "abc"), "error",
     "not a SHA-256 digest"),
    ("type-single-string", "tiny", _contract_set(("type",), "rest"), "ok", ""),
    ("type-unknown-string", "tiny", _contract_set(("type",), "rust"), "error",
     "did you mean 'rest'?"),
    ("remote-opt-in-unreachable", "tiny", _contract_set(("api", "allow_remote_refs"), True),
     "ok", ""),
    ("multi-sub-traversal", "multi", _multi_sub_ref("../../../../etc/passwd"), "error",
     "leads outside the contract folder"),
    ("multi-sub-remote", "multi", _multi_sub_ref("https://evil.example/s.json"), "error",
     "is not fetched"),
    ("multi-sub-missing", "multi", _multi_sub_ref("nope.json#/X"), "error",
     "names a file that does not exist"),
    ("multi-sub-cycle", "multi", _multi_sub_ref("#/NodeInput"), "any", ""),
    ("multi-cross-cycle", "multi", _multi_sub_ref("../openapi.json#/components/schemas/Tags"),
     "any", ""),
]  # fmt: skip
SEEDS = {"tiny": 5, "acme": 4, "swagger": 2, "multi": 2}
TARGETED_SEEDS = {"tiny": 2, "acme": 2, "swagger": 1, "multi": 1}


def cases() -> list[Case]:
    """The whole table: deterministic, the same on every machine."""
    table = [Case(f"{base}/base", base, lambda folder, rng: None, "ok") for base in BASES]
    for base in BASES:
        for kind, mutate in RANDOM.items():
            table += [
                Case(f"{base}/{kind}/{seed}", base, mutate, "any", seed=seed)
                for seed in range(SEEDS[base])
            ]
        for kind, (mutate, expect, message) in TARGETED.items():
            table += [
                Case(f"{base}/{kind}/{seed}", base, mutate, expect, message, seed)
                for seed in range(TARGETED_SEEDS[base])
            ]
    table += [Case(f"{base}/{name}", base, m, e, msg) for name, base, m, e, msg in SPECIAL]
    return table


# --- running --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    lint_code: int | None  # 0 ok, 1 errors, None: hung, 3: traceback, 4: mutation failed
    lint_text: str
    check_code: int | None = None  # None: not run or hung
    check_text: str = ""
    check_hung: bool = False


class _Alarm(Exception):
    pass


@contextlib.contextmanager
def _alarm(seconds: int) -> Iterator[None]:
    def ring(signum: int, frame: FrameType | None) -> None:
        raise _Alarm

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run_lint(folder: Path) -> tuple[int | None, str]:
    """Lint in-process under an alarm: (0/1, text), (None, '') if hung, (3, traceback)."""
    from harness.lint import lint, render_text

    try:
        with _alarm(LINT_S):
            result = lint(str(folder))
            text = render_text([result], verbose=True)
    except _Alarm:
        return None, ""
    except BaseException as exc:  # anything escaping lint is a traceback for the user
        return 3, f"Traceback (most recent call last): {type(exc).__name__}: {exc}"
    return (0 if result.valid else 1), text


def run_check(folder: Path, report: Path) -> tuple[int | None, str]:
    """Exit code and output of ``harness check``; None if it hung.

    A hang is judged on CPU time (``ulimit -t``), not wall time: on a busy machine a slow
    check is not a hang, and a loop burns CPU however busy the machine is. A wait that burns
    nothing (a deadlock) still meets the wall-clock limit.
    """
    command = [sys.executable, "-m", "harness.cli", "check", str(folder), "--seed", "1",
               "--examples", "1", "--report-dir", str(report)]  # fmt: skip
    for family in FAMILIES:
        command += ["--family", family]
    limited = ["bash", "-c", f'ulimit -t {CHECK_CPU_S} && exec "$@"', "check", *command]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        done = subprocess.run(
            limited, cwd=folder, env=env, capture_output=True, text=True, timeout=CHECK_WALL_S,
            check=False, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return None, ""
    if done.returncode in (-signal.SIGXCPU, -signal.SIGKILL, 128 + signal.SIGXCPU):
        return None, done.stdout + done.stderr
    return done.returncode, done.stdout + done.stderr


def prepare(case: Case, work: Path) -> Path:
    folder = work / "contract"
    folder.mkdir()
    make_base(case.base, folder)
    case.mutate(folder, random.Random(f"{case.name}"))
    return folder


def outcome(case: Case, *, check: bool = True) -> Outcome:
    """Lint (and check) one case in a scratch folder."""
    with tempfile.TemporaryDirectory(prefix="harness-documents-") as scratch:
        linted, folder = _linted(case, Path(scratch))
        if not check or folder is None:
            return linted
        return _checked(linted, folder, Path(scratch))


def _linted(case: Case, scratch: Path) -> tuple[Outcome, Path | None]:
    try:
        folder = prepare(case, scratch)
    except Exception as exc:  # the bench's own bug: say so, do not blame harness
        return Outcome(4, f"the mutation failed: {type(exc).__name__}: {exc}"), None
    return Outcome(*run_lint(folder)), folder


def _checked(linted: Outcome, folder: Path, scratch: Path) -> Outcome:
    code, text = run_check(folder, scratch / "reports")
    return Outcome(linted.lint_code, linted.lint_text, code, text, check_hung=code is None)


def judge(case: Case, result: Outcome, *, check: bool = True) -> str:
    """'ok', or the bad outcome: traceback/hang/silent_pass/unexpected with the reason."""
    texts = result.lint_text + result.check_text
    if result.lint_code == 4:
        return f"unexpected: {result.lint_text}"
    if result.lint_code == 3 or any(marker in texts for marker in TRACEBACKS):
        return "tracebacks: " + _first_line_with(texts, TRACEBACKS)
    if result.lint_code is None or result.check_hung:
        return "hangs: lint" if result.lint_code is None else "hangs: check"
    if case.expect == "error" and result.lint_code == 0:
        return f"silent_passes: lint accepted it (expected {case.message!r})"
    if check and result.lint_code == 1 and result.check_code == 0:
        return "silent_passes: check exited 0 on a contract lint rejects"
    if case.expect == "error" and case.message not in result.lint_text:
        return f"unexpected: lint does not say {case.message!r}: {result.lint_text[-300:]!r}"
    if case.expect == "ok" and result.lint_code != 0:
        return f"unexpected: lint rejected it: {result.lint_text[-300:]!r}"
    if check and result.check_code not in (0, 1, 2):
        return f"unexpected: check exit {result.check_code}"
    return "ok"


def _first_line_with(text: str, markers: tuple[str, ...]) -> str:
    for line in text.splitlines():
        if any(marker in line for marker in markers):
            return line.strip()[:200]
    return ""


def select(sample: int | None) -> list[Case]:
    table = cases()
    if sample is None or sample >= len(table):
        return table
    return random.Random(18).sample(table, sample)


def run(sample: int | None = None, *, check: bool = True, workers: int = 2) -> dict[str, int]:
    """Run every case (or a seeded sample); the counts of each bad outcome.

    Every case is linted. Check runs on every case lint accepts, and on every
    ``REFUSED_EVERY``-th case it rejects (check loads the contract with the same loader, so
    those all end alike: refused at collection, exit 2), ``workers`` at a time.
    """
    counts = {"cases": 0, "tracebacks": 0, "hangs": 0, "silent_passes": 0, "unexpected": 0}

    def record(case: Case, result: Outcome, checked: bool, started: float) -> None:
        verdict = judge(case, result, check=checked)
        counts["cases"] += 1
        if verdict != "ok":
            counts[verdict.partition(":")[0]] += 1
            took = time.perf_counter() - started
            print(f"documents: {case.name}: {verdict} ({took:.1f} s)", file=sys.stderr)

    with ThreadPoolExecutor(max_workers=workers) as pool, contextlib.ExitStack() as scratches:
        pending: list[tuple[Case, Future[Outcome], float]] = []
        for index, case in enumerate(select(sample)):
            started = time.perf_counter()
            scratch = Path(scratches.enter_context(tempfile.TemporaryDirectory(prefix="hd-")))
            linted, folder = _linted(case, scratch)
            wanted = linted.lint_code == 0 or index % REFUSED_EVERY == 0
            if check and folder is not None and wanted:
                pending.append((case, pool.submit(_checked, linted, folder, scratch), started))
            else:
                record(case, linted, False, started)
        for case, future, started in pending:
            record(case, future.result(), True, started)
    return counts


if __name__ == "__main__":
    arguments = sys.argv[1:]
    lint_only = "--lint-only" in arguments
    numbers = [int(arg) for arg in arguments if arg.isdigit()]
    print(json.dumps(run(numbers[0] if numbers else None, check=not lint_only)))
